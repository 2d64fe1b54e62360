#pragma once

// A token bucket: `burst` tokens at most, refilled continuously at `rate`
// tokens per second; each event takes one. The one rate rule of the front
// end, for the log lines clients can cause (log_throttle.hpp) and for the
// requests one client may send (client_rate_limit.hpp). Time is passed in,
// so that actors can use their clock (CAF's test coordinator moves it).

#include <algorithm>
#include <chrono>

namespace holobroker::broker {

class token_bucket {
public:
  using time_point = std::chrono::steady_clock::time_point;

  token_bucket(double burst, double rate, time_point now)
    : burst_(burst), rate_(rate), tokens_(burst), last_(now) {}

  /// Takes a token if there is one at `now`.
  bool take(time_point now) {
    refill(now);
    if (tokens_ < 1)
      return false;
    tokens_ -= 1;
    return true;
  }

  /// Whether the bucket is full at `now`: it then holds what a fresh
  /// bucket holds, so forgetting it loses nothing.
  bool full(time_point now) const { return tokens_at(now) >= burst_; }

private:
  double tokens_at(time_point now) const {
    if (now <= last_)
      return tokens_;
    std::chrono::duration<double> dt = now - last_;
    return std::min(burst_, tokens_ + dt.count() * rate_);
  }

  void refill(time_point now) {
    tokens_ = tokens_at(now);
    last_ = std::max(last_, now);
  }

  double burst_;
  double rate_;
  double tokens_;
  time_point last_;
};

} // namespace holobroker::broker
