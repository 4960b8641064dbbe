// Bytes received from a client and not yet echoed back, held on the heap only while the client is slow
// to read. Freed as soon as it drains, so an idle connection holds no memory.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace echo {

class PendingBytes {
 public:
  PendingBytes() = default;
  ~PendingBytes() { release(); }
  PendingBytes(const PendingBytes&) = delete;
  PendingBytes& operator=(const PendingBytes&) = delete;

  size_t size() const { return end_ - head_; }
  bool empty() const { return end_ == head_; }
  const uint8_t* data() const { return buffer_ + head_; }

  void append(const void* bytes, size_t n) {
    if (!n) return;
    if (end_ + n > capacity_) make_room(n, 0);
    std::memcpy(buffer_ + end_, bytes, n);
    end_ += n;
  }

  // For bytes that were queued before everything held here (a short send of earlier data).
  void prepend(const void* bytes, size_t n) {
    if (!n) return;
    if (head_ < n) make_room(0, n);
    head_ -= n;
    std::memcpy(buffer_ + head_, bytes, n);
  }

  void consume(size_t n) {
    head_ += n;
    if (head_ >= end_) release();
  }

  void release() {
    std::free(buffer_);
    buffer_ = nullptr;
    head_ = end_ = capacity_ = 0;
  }

 private:
  // Reallocates with `front` free bytes before the data and at least `back` after it.
  void make_room(size_t back, size_t front) {
    size_t used = size();
    size_t need = front + used + back;
    size_t capacity = capacity_ ? capacity_ : 4096;
    while (capacity < need) capacity *= 2;
    if (capacity == capacity_ && front == 0 && head_ > 0) {
      std::memmove(buffer_, buffer_ + head_, used);
    } else {
      auto* fresh = static_cast<uint8_t*>(std::malloc(capacity));
      if (!fresh) throw std::bad_alloc();
      if (used) std::memcpy(fresh + front, buffer_ + head_, used);
      std::free(buffer_);
      buffer_ = fresh;
      capacity_ = capacity;
    }
    head_ = front;
    end_ = front + used;
  }

  uint8_t* buffer_ = nullptr;
  size_t head_ = 0;
  size_t end_ = 0;
  size_t capacity_ = 0;
};

}  // namespace echo
