// Connections live in a vector (or deque) indexed by a small slot number (the key carried in user_data or epoll
// data); closed slots are reused first so the vector stays as large as the peak, never larger.
#pragma once
#include <cstdint>
#include <vector>

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

}  // namespace echo
