// Bytes received from a client and not yet echoed back, held on the heap only while the client is slow
// to read. Kept as a chain of blocks: appending never moves bytes already held (a send in flight from
// them stays valid), memory grows with the bytes held (blocks grow up to kMaxBlock, never doubling the
// whole), and each block is freed as soon as it is sent. An idle connection holds no memory.
// Allocation failure is reported (false), never thrown: it must cost one connection, not a thread.
#pragma once
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "echo/heap_release.h"

namespace echo {

class PendingBytes {
 public:
  PendingBytes() = default;
  ~PendingBytes() { release(); }
  PendingBytes(const PendingBytes&) = delete;
  PendingBytes& operator=(const PendingBytes&) = delete;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The first contiguous run of held bytes (what one send can take).
  const uint8_t* front() const { return first_->data + first_->head; }
  size_t front_size() const { return first_ ? first_->end - first_->head : 0; }

  // Appends all of `bytes`; false when memory ran out (then some may have been appended).
  bool append(const void* bytes, size_t n) {
    auto* from = static_cast<const uint8_t*>(bytes);
    while (n) {
      if (!last_ || last_->end == last_->capacity) {
        Block* block = allocate(std::max(n, size_));
        if (!block) return false;
        if (last_) last_->next = block;
        else first_ = block;
        last_ = block;
      }
      const size_t take = std::min<size_t>(n, last_->capacity - last_->end);
      std::memcpy(last_->data + last_->end, from, take);
      last_->end += static_cast<uint32_t>(take);
      size_ += take;
      from += take;
      n -= take;
    }
    return true;
  }

  // For bytes that were queued before everything held here (a short send of earlier data).
  bool prepend(const void* bytes, size_t n) {
    auto* from = static_cast<const uint8_t*>(bytes);
    while (n) {
      if (!first_ || first_->head == 0) {
        Block* block = allocate(n);
        if (!block) return false;
        block->head = block->end = block->capacity;
        block->next = first_;
        first_ = block;
        if (!last_) last_ = block;
      }
      const size_t take = std::min<size_t>(n, first_->head);
      first_->head -= static_cast<uint32_t>(take);
      n -= take;
      std::memcpy(first_->data + first_->head, from + n, take);
      size_ += take;
    }
    return true;
  }

  void consume(size_t n) {
    while (n && first_) {
      const size_t take = std::min<size_t>(n, first_->end - first_->head);
      first_->head += static_cast<uint32_t>(take);
      size_ -= take;
      n -= take;
      if (first_->head == first_->end) pop_front();
    }
  }

  void release() {
    while (first_) pop_front();
    size_ = 0;
  }

 private:
  // Blocks grow with what is held, from kMinBlock to a full block of kMappedBlock bytes: a connection
  // never holds more than min(held, kMappedBlock) bytes beyond what it holds. Full blocks are mapped
  // directly, so that freeing them gives the address space back at once (under RLIMIT_DATA the rest
  // of the process, Node included, needs it), not just to the allocator's free lists.
  static constexpr size_t kMinBlock = 256;
  static constexpr size_t kMappedBlock = 64 * 1024;

  struct Block {
    Block* next;
    uint32_t capacity;
    uint32_t head;
    uint32_t end;
    uint32_t mapped;
    uint8_t data[];
  };
  static constexpr size_t kMaxBlock = kMappedBlock - sizeof(Block);

  static Block* allocate(size_t want) {
    const size_t capacity = std::clamp(want, kMinBlock, kMaxBlock);
    const size_t bytes = sizeof(Block) + capacity;
    if (!heap_release::may_allocate(bytes)) return nullptr;
    Block* block;
    const bool mapped = capacity == kMaxBlock;
    if (mapped) {
      void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      block = memory == MAP_FAILED ? nullptr : static_cast<Block*>(memory);
    } else {
      block = static_cast<Block*>(std::malloc(bytes));
    }
    if (!block) {
      heap_release::allocation_failed();
      return nullptr;
    }
    block->next = nullptr;
    block->capacity = static_cast<uint32_t>(capacity);
    block->head = block->end = 0;
    block->mapped = mapped;
    heap_release::allocated(bytes);
    return block;
  }

  void pop_front() {
    Block* block = first_;
    first_ = block->next;
    if (!first_) last_ = nullptr;
    const size_t bytes = sizeof(Block) + block->capacity;
    heap_release::freed(bytes);
    if (block->mapped) munmap(block, bytes);
    else std::free(block);
  }

  Block* first_ = nullptr;
  Block* last_ = nullptr;
  size_t size_ = 0;
};

}  // namespace echo
