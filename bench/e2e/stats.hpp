#pragma once

// Summaries for benchmark figures: latency percentiles within a run, and
// median with spread across repeated runs.

#include <chrono>
#include <string>
#include <vector>

namespace holobroker::bench {

using clock = std::chrono::steady_clock;

/// The q-quantile (0..1) of `samples` in microseconds; sorts a copy.
double percentile_us(std::vector<clock::duration> samples, double q);

/// Median, minimum and maximum of repeated measurements.
struct spread {
  double median = 0;
  double min = 0;
  double max = 0;

  /// "123.4 (120.1-130.2)"
  std::string to_string(int precision = 1) const;
};

spread summarize(std::vector<double> values);

} // namespace holobroker::bench
