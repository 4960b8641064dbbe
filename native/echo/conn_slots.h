// Connections live in a vector (or deque) indexed by a small slot number (the key carried in user_data or epoll
// data); closed slots are reused first so the vector stays as large as the peak, never larger.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <new>
#include <vector>

#include "echo/counters.h"

namespace echo {

template <typename Conns>
uint32_t take_conn_slot(Conns& conns, std::vector<uint32_t>& free_slots) {
  if (!free_slots.empty()) {
    uint32_t index = free_slots.back();
    free_slots.pop_back();
    return index;
  }
  conns.emplace_back();
  return static_cast<uint32_t>(conns.size() - 1);
}

constexpr uint32_t kNoSlot = UINT32_MAX;

// The slot for a newly accepted connection. With no memory for one more, this connection alone is
// refused (closed and counted) and kNoSlot returned: the others go on.
template <typename Conns, typename Engine>
uint32_t take_conn_slot_or_refuse(Conns& conns, std::vector<uint32_t>& free_slots, int fd, Engine& engine,
                                  Counters& counters) {
  try {
    return take_conn_slot(conns, free_slots);
  } catch (const std::bad_alloc&) {
    close(fd);
    engine.connection_closed();
    Counters::add(counters.alloc_failures);
    Counters::add(counters.closed);
    return kNoSlot;
  }
}

}  // namespace echo
