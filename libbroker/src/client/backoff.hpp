#pragma once

// Exponential backoff between a floor and a cap, for the retries of a
// HANDSHAKE that could not be routed yet and of requests that could not be
// sent (unroutable, high-water mark).

#include <algorithm>

#include <caf/timespan.hpp>

namespace holobroker::client {

class backoff {
public:
  backoff(caf::timespan min, caf::timespan max)
    : min_(std::max(min, caf::timespan{1})), max_(std::max(max, min_)), next_(min_) {}

  /// The delay to wait now; the one after is twice as long (up to the cap).
  caf::timespan next() noexcept {
    auto delay = next_;
    next_ = std::min(next_ * 2, max_);
    return delay;
  }

  /// Back to the floor (the link just came up: no reason to wait long).
  void reset() noexcept { next_ = min_; }

private:
  caf::timespan min_;
  caf::timespan max_;
  caf::timespan next_;
};

} // namespace holobroker::client
