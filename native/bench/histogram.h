// Latency histogram in the HDR style: exact below 256 ns, then 128 linear buckets per power of two, so
// every recorded value is kept within 1/128 (0.8%) of its true value from 1 ns to ~18 minutes, in a
// fixed 36 KiB array that records in O(1) and merges across threads by addition.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bench {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBits = 7;
  static constexpr uint64_t kSub = 1ull << kSubBits;
  static constexpr unsigned kMaxGroup = 33;  // values up to 2^41 ns
  static constexpr size_t kBuckets = kSub * (kMaxGroup + 2);

  LatencyHistogram() : counts_(kBuckets, 0) {}

  void record(int64_t value_ns) {
    uint64_t v = value_ns < 0 ? 0 : static_cast<uint64_t>(value_ns);
    ++counts_[index_of(v)];
    ++count_;
    sum_ += v;
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
  }
  void merge(const LatencyHistogram& other);
  void clear();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }
  // The value at or below which `percentile` % of the recorded values fall: the highest value of the
  // bucket holding that rank, never above the largest value recorded. 0 when empty.
  uint64_t value_at(double percentile) const;

  static size_t index_of(uint64_t v) {
    if (v < 2 * kSub) return static_cast<size_t>(v);
    unsigned group = 63 - __builtin_clzll(v) - kSubBits;
    if (group > kMaxGroup) return kBuckets - 1;
    return static_cast<size_t>(kSub * group + (v >> group));
  }
  static uint64_t highest_in(size_t index) {
    if (index < 2 * kSub) return index;
    unsigned group = static_cast<unsigned>(index / kSub) - 1;
    uint64_t sub = index % kSub + kSub;
    return ((sub + 1) << group) - 1;
  }

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace bench
