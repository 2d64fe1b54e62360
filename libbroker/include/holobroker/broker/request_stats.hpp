#pragma once

// Per-Thing counters of the requests that passed through the front end.

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

struct thing_stats {
  std::uint64_t requests = 0;
  std::uint64_t oneway = 0;
  std::uint64_t replies = 0;
  std::uint64_t exceptions = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t errors = 0;
  std::uint64_t in_flight = 0;
  latency_window latency;

  explicit thing_stats(std::size_t samples = 1024) : latency(samples) {}

  void finished(request_outcome outcome, std::chrono::nanoseconds elapsed);

  /// {"requests","oneway","replies","exceptions","timeouts","errors","in_flight",
  ///  "latency_ms":{"p50","p90","p99","samples"}}
  nlohmann::json to_json() const;
};

} // namespace holobroker::broker
