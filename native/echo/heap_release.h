// Giving freed heap back to the operating system. free() keeps memory in the allocator's free lists,
// so after a wave of slow or hostile clients the server's RSS would stay at its peak; each engine thread
// counts what its connections' buffers allocate and free, and returns the free pages (malloc_trim) once
// its connections hold nothing any more, or after every kTrimAlways bytes freed under sustained load.
#pragma once
#include <malloc.h>

#include <cstddef>

namespace echo::heap_release {

constexpr size_t kTrimAfter = 1 << 20;    // freed since the last trim, with nothing held any more
constexpr size_t kTrimAlways = 64 << 20;  // freed since the last trim, whatever is still held

struct Account {
  size_t in_use = 0;
  size_t freed_since_trim = 0;
  // Once an allocation failed, this thread's connections stay below 3/4 of what they held then: the
  // rest of the process (Node's own allocations) keeps some room, and the limit was real.
  size_t cap = 0;
};

inline Account& account() {
  static thread_local Account a;
  return a;
}

inline void allocated(size_t n) { account().in_use += n; }
inline void freed(size_t n) {
  Account& a = account();
  a.in_use -= n;
  a.freed_since_trim += n;
}

inline bool may_allocate(size_t n) {
  const Account& a = account();
  return !a.cap || a.in_use + n <= a.cap;
}
inline void allocation_failed() {
  Account& a = account();
  const size_t cap = a.in_use / 4 * 3;
  if (!a.cap || cap < a.cap) a.cap = cap;
}

// Called by an engine thread between batches of events; cheap when there is nothing to give back.
// Returns true when it trimmed.
inline bool trim_if_due() {
  Account& a = account();
  if (a.freed_since_trim < kTrimAfter || (a.in_use && a.freed_since_trim < kTrimAlways)) return false;
  a.freed_since_trim = 0;
  malloc_trim(0);
  return true;
}

}  // namespace echo::heap_release
