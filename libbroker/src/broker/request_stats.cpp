#include "holobroker/broker/request_stats.hpp"

#include <nlohmann/json.hpp>

namespace holobroker::broker {

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
}

nlohmann::json thing_stats::to_json() const {
  auto ms = [this](double q) {
    return std::chrono::duration<double, std::milli>(latency.percentile(q)).count();
  };
  return {{"requests", requests},
          {"oneway", oneway},
          {"replies", replies},
          {"exceptions", exceptions},
          {"timeouts", timeouts},
          {"errors", errors},
          {"in_flight", in_flight},
          {"latency_ms",
           {{"p50", ms(0.50)}, {"p90", ms(0.90)}, {"p99", ms(0.99)}, {"samples", latency.size()}}}};
}

} // namespace holobroker::broker
