#include "holobroker/broker/request_stats.hpp"

#include <nlohmann/json.hpp>

namespace holobroker::broker {

void latency_histogram::record(std::chrono::nanoseconds elapsed) {
  auto s = std::chrono::duration<double>(elapsed).count();
  ++count;
  sum_s += s;
  for (std::size_t i = 0; i < bounds_s.size(); ++i) {
    if (s <= bounds_s[i]) {
      ++in_bucket[i];
      break;
    }
  }
}

void thing_stats::finished(request_outcome outcome, std::chrono::nanoseconds elapsed) {
  if (in_flight > 0)
    --in_flight;
  switch (outcome) {
    case request_outcome::reply: ++replies; break;
    case request_outcome::exception: ++exceptions; break;
    case request_outcome::timeout: ++timeouts; break;
    case request_outcome::error: ++errors; break;
  }
  latency.record(elapsed);
  histogram.record(elapsed);
}

nlohmann::json thing_stats::to_json() const {
  auto ms = [this](double q) {
    return std::chrono::duration<double, std::milli>(latency.percentile(q)).count();
  };
  auto le = nlohmann::json::array();
  auto cumulative = nlohmann::json::array();
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < latency_histogram::bounds_s.size(); ++i) {
    below += histogram.in_bucket[i];
    le.push_back(latency_histogram::bounds_s[i]);
    cumulative.push_back(below);
  }
  return {{"requests", requests},
          {"oneway", oneway},
          {"replies", replies},
          {"exceptions", exceptions},
          {"timeouts", timeouts},
          {"errors", errors},
          {"in_flight", in_flight},
          {"latency_ms",
           {{"p50", ms(0.50)}, {"p90", ms(0.90)}, {"p99", ms(0.99)}, {"samples", latency.size()}}},
          {"latency_histogram",
           {{"le_s", std::move(le)},
            {"cumulative", std::move(cumulative)},
            {"count", histogram.count},
            {"sum_s", histogram.sum_s}}}};
}

} // namespace holobroker::broker
