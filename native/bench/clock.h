// Monotonic and per-thread CPU clocks in nanoseconds.
#pragma once
#include <ctime>

#include <cstdint>

namespace bench {

inline int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

inline int64_t thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

inline int64_t seconds_to_ns(double s) { return static_cast<int64_t>(s * 1e9); }

}  // namespace bench
