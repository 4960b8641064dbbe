// The bytes every connection sends: one read-only pseudo-random pattern shared by all threads, and each
// connection's stream is that pattern read cyclically from its own start offset. Sending needs no copy
// (send straight from the pattern) and verifying an echo is one memcmp at the stream position.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bench {

class PayloadPattern {
 public:
  // A prime period, so message boundaries and buffer sizes never line up with the pattern's repeat.
  static constexpr size_t kPeriod = 65521;
  // The longest contiguous run a caller may ask for (one send or one received chunk).
  static constexpr size_t kMaxRun = 128 * 1024;

  explicit PayloadPattern(uint64_t seed) : bytes_(kPeriod + kMaxRun) {
    uint64_t state = seed;
    for (size_t i = 0; i < kPeriod; ++i) bytes_[i] = static_cast<uint8_t>(splitmix64(state) >> 56);
    for (size_t i = kPeriod; i < bytes_.size(); ++i) bytes_[i] = bytes_[i - kPeriod];
  }

  // Stream byte `position` of a connection starting at `start` and the kMaxRun bytes after it.
  const uint8_t* at(uint32_t start, uint64_t position) const {
    return bytes_.data() + (start + position) % kPeriod;
  }

  // A connection's start offset: spread connections over the period so crossed streams are caught.
  static uint32_t start_for(uint32_t connection) {
    uint64_t state = 0x9e3779b97f4a7c15ULL * (connection + 1);
    return static_cast<uint32_t>(splitmix64(state) % kPeriod);
  }

  static uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace bench
