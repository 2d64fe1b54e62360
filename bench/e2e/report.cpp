#include "report.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace holobroker::bench {

namespace {

template <class F>
spread over(const std::vector<path_figures>& runs, F field) {
  std::vector<double> xs;
  for (const auto& r : runs)
    xs.push_back(field(r));
  return summarize(xs);
}

/// The median of per-repetition ratios: each repetition's path and raw
/// figures were measured back to back, so load drift cancels out.
template <class F>
std::optional<double> ratio(const std::vector<path_figures>& runs,
                            const std::vector<path_figures>& base, F field) {
  std::vector<double> xs;
  for (std::size_t i = 0; i < runs.size() && i < base.size(); ++i)
    if (field(base[i]) > 0)
      xs.push_back(field(runs[i]) / field(base[i]));
  if (xs.empty())
    return std::nullopt;
  return summarize(xs).median;
}

std::string pct(const std::optional<double>& x) {
  return x ? fmt::format("{:.0f}%", *x * 100) : "-";
}

} // namespace

void print_path_header() {
  fmt::print("| path | tx | load | p50 us (min-max) | p99 us | req/s (min-max) | MiB/s "
             "| p50 x raw | req/s % raw | MiB/s % raw | p50 x thing-sim | goals |\n"
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

void print_path_row(const path_row& row) {
  auto p50 = [](const path_figures& f) { return f.rtt_p50_us; };
  auto p99 = [](const path_figures& f) { return f.rtt_p99_us; };
  auto rps = [](const path_figures& f) { return f.throughput_rps; };
  auto mib = [](const path_figures& f) { return f.bandwidth_mib_s; };
  ratios r;
  bool is_raw = row.path == "raw";
  if (!is_raw) {
    r.p50 = ratio(row.runs, row.raw_runs, p50);
    if (row.has_throughput) {
      r.throughput = ratio(row.runs, row.raw_runs, rps);
      if (row.load != "small")
        r.bandwidth = ratio(row.runs, row.raw_runs, mib);
    }
  }
  std::optional<double> over_sim;
  if (!is_raw && row.path != "thing-sim")
    over_sim = ratio(row.runs, row.sim_runs, p50);
  auto bandwidth = row.has_throughput && row.load != "small"
                     ? fmt::format("{:.0f}", over(row.runs, mib).median)
                     : std::string{"-"};
  fmt::print("| {} | {} | {} | {} | {:.1f} | {} | {} | {} | {} | {} | {} | {} |\n", row.path,
             row.transport, row.load, over(row.runs, p50).to_string(),
             over(row.runs, p99).median,
             row.has_throughput ? over(row.runs, rps).to_string(0) : std::string{"-"},
             bandwidth, r.p50 ? fmt::format("{:.2f}", *r.p50) : "-", pct(r.throughput),
             pct(r.bandwidth), over_sim ? fmt::format("{:.2f}", *over_sim) : "-",
             verdict(row.path, row.load, r));
  std::fflush(stdout);
}

void print_fleet_header() {
  fmt::print("| Things | all connected s (min-max) | RSS MB idle | peak RSS MB | threads "
             "| idle CPU % | req/s spread over fleet | p50 us | goals |\n"
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

void print_fleet_row(const fleet_figures& fig) {
  auto connected = summarize(fig.connected_s);
  fmt::print("| {} | {} | {:.1f} | {:.1f} | {} | {:.2f} | {:.0f} | {:.1f} | {} |\n", fig.things,
             connected.to_string(3), fig.rss_mb, fig.peak_rss_mb, fig.threads, fig.idle_cpu_pct,
             fig.throughput_rps, fig.rtt_p50_us,
             fleet_verdict({connected.median, fig.threads, fig.rss_mb, fig.idle_cpu_pct}));
  std::fflush(stdout);
}

void print_fleet_failure(int things, const std::string& why) {
  std::string cell; // client ids contain '|', which would split the cell
  for (char c : why)
    cell += c == '|' ? std::string{"\\|"} : std::string(1, c);
  fmt::print("| {} | FAILED: {} | | | | | | | goals MISSED |\n", things, cell);
  std::fflush(stdout);
}

} // namespace holobroker::bench
