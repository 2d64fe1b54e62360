#pragma once

// Per-Thing counters of the requests that passed through the front end.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "holobroker/broker/latency_window.hpp"

namespace holobroker::broker {

enum class request_outcome {
  reply,      ///< REPLY
  exception,  ///< the Thing raised (EXCEPTION from upstream)
  timeout,    ///< TIMEOUT: server-side or the broker's deadline
  error,      ///< any other broker error (connection, busy, unknown Thing, drain, ...)
};

/// Round-trip times since start, in fixed buckets (for a Prometheus
/// histogram, which needs counts that only grow; the latency window only
/// holds the most recent samples).
struct latency_histogram {
  /// Upper bounds in seconds, 100 us .. 10 s; anything slower is only in `count`.
  static constexpr std::array<double, 16> bounds_s{0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                   0.005,  0.01,    0.025,  0.05,  0.1,
                                                   0.25,   0.5,     1.0,    2.5,   5.0,
                                                   10.0};
  std::array<std::uint64_t, bounds_s.size()> in_bucket{}; ///< not cumulative
  std::uint64_t count = 0;
  double sum_s = 0;

  void record(std::chrono::nanoseconds elapsed);
};

struct thing_stats {
  std::uint64_t requests = 0;
  std::uint64_t oneway = 0;
  std::uint64_t replies = 0;
  std::uint64_t exceptions = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t errors = 0;
  std::uint64_t in_flight = 0;
  latency_window latency;
  latency_histogram histogram;

  explicit thing_stats(std::size_t samples = 1024) : latency(samples) {}

  void finished(request_outcome outcome, std::chrono::nanoseconds elapsed);

  /// {"requests","oneway","replies","exceptions","timeouts","errors","in_flight",
  ///  "latency_ms":{"p50","p90","p99","samples"},
  ///  "latency_histogram":{"le_s":[bounds],"cumulative":[counts],"count","sum_s"}}
  nlohmann::json to_json() const;
};

} // namespace holobroker::broker
