#pragma once

// A bound on the log lines that clients can cause. A hostile or broken
// client can send malformed messages, requests for unknown Things or never
// read its replies at any rate; one log line each would let it fill the
// journal and slow the front end (a synchronous write per message) for
// every other client. Lines beyond a small burst are counted instead, and
// the next line that gets through says how many were left out. The counters
// in `status` still count every event.

#include <chrono>
#include <cstdint>

#include "broker/token_bucket.hpp"

namespace holobroker::broker {

class log_throttle {
public:
  using clock = std::chrono::steady_clock;

  /// `burst` lines at once, refilled at `per_second` lines per second.
  explicit log_throttle(double burst = 20, double per_second = 5)
    : bucket_(burst, per_second, clock::now()) {}

  /// Whether a line may be written now. When it may, `suppressed` is the
  /// number of lines left out since the last one written (then reset).
  bool admit(std::uint64_t& suppressed, clock::time_point now = clock::now()) {
    if (!bucket_.take(now)) {
      ++suppressed_;
      return false;
    }
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

private:
  token_bucket bucket_;
  std::uint64_t suppressed_ = 0;
};

} // namespace holobroker::broker
