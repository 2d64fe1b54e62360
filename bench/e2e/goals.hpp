#pragma once

// The goals of issue 6, as ratios to the raw baseline of the same run, and
// the verdict line the table prints for each path.

#include <optional>
#include <string>

namespace holobroker::bench {

/// Ratios of one path to the raw echo (medians of per-repetition ratios).
struct ratios {
  std::optional<double> p50;       ///< path p50 / raw p50
  std::optional<double> throughput; ///< path req/s / raw req/s
  std::optional<double> bandwidth;  ///< path MiB/s / raw MiB/s
};

/// "p50<=1.3x met, req/s>=50% missed", or "" when no goal applies to
/// `path` ("client", "daemon", ...) on workload `load` ("small", "1KiB", "1MiB").
std::string verdict(const std::string& path, const std::string& load, const ratios& r);

struct fleet_goal_input {
  double connected_s = 0;
  int threads = 0;
  double rss_mb = 0;
  double idle_cpu_pct = 0;
};

/// The fleet goals (all connected <= 1 s, <= 8 threads, RSS <= 100 MB,
/// idle CPU ~0 %, read as < 1 % of one core).
std::string fleet_verdict(const fleet_goal_input& in);

} // namespace holobroker::bench
