#include "goals.hpp"

#include <vector>

#include <fmt/format.h>

namespace holobroker::bench {

namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty())
      out += ", ";
    out += p;
  }
  return out;
}

std::string mark(bool met) {
  return met ? "met" : "MISSED";
}

} // namespace

std::string verdict(const std::string& path, const std::string& load, const ratios& r) {
  std::vector<std::string> parts;
  auto at_most = [&](const char* what, const std::optional<double>& x, double limit) {
    if (x)
      parts.push_back(fmt::format("{}<={:.1f}x {}", what, limit, mark(*x <= limit)));
  };
  auto at_least = [&](const char* what, const std::optional<double>& x, double limit) {
    if (x)
      parts.push_back(fmt::format("{}>={:.0f}% {}", what, limit * 100, mark(*x >= limit)));
  };
  if (path == "client") {
    at_most("p50", r.p50, 1.3);
    if (load == "1MiB")
      at_least("MiB/s", r.bandwidth, 0.7);
    else
      at_least("req/s", r.throughput, 0.5);
  } else if (path == "daemon") {
    at_most("p50", r.p50, 2.5);
  }
  return join(parts);
}

std::string fleet_verdict(const fleet_goal_input& in) {
  return join({fmt::format("<=1s {}", mark(in.connected_s <= 1.0)),
               fmt::format("<=8 thr {}", mark(in.threads <= 8)),
               fmt::format("<=100MB {}", mark(in.rss_mb <= 100.0)),
               fmt::format("idle<1% {}", mark(in.idle_cpu_pct < 1.0))});
}

} // namespace holobroker::bench
