#include "holobroker/broker/latency_window.hpp"

#include <algorithm>
#include <cmath>

namespace holobroker::broker {

void latency_window::record(duration sample) {
  if (capacity_ == 0)
    return;
  if (samples_.size() < capacity_) {
    samples_.push_back(sample);
    return;
  }
  samples_[next_] = sample;
  next_ = (next_ + 1) % capacity_;
}

latency_window::duration latency_window::percentile(double q) const {
  if (samples_.empty())
    return duration{0};
  auto sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

} // namespace holobroker::broker
