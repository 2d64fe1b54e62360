#pragma once

// Round-trip times of the most recent requests of one Thing, for the
// percentiles of the broker's `status`: a fixed ring, so memory stays
// bounded however long the broker runs.

#include <chrono>
#include <cstddef>
#include <vector>

namespace holobroker::broker {

class latency_window {
public:
  using duration = std::chrono::nanoseconds;

  explicit latency_window(std::size_t capacity = 1024) : capacity_(capacity) {}

  void record(duration sample);

  /// Samples currently held (at most the capacity).
  std::size_t size() const noexcept { return samples_.size(); }

  /// The q-quantile (0 < q <= 1, nearest rank) of the held samples; zero when empty.
  duration percentile(double q) const;

private:
  std::size_t capacity_;
  std::size_t next_ = 0;
  std::vector<duration> samples_;
};

} // namespace holobroker::broker
