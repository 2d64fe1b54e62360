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

std::string times(const std::optional<double>& x) {
  return x ? fmt::format("{:.2f}", *x) : "-";
}

/// The ratios of `row` to the reference figures `base` (empty: not run).
ratios ratios_to(const path_row& row, const std::vector<path_figures>& base) {
  ratios r;
  if (base.empty())
    return r;
  r.p50 = ratio(row.runs, base, [](const path_figures& f) { return f.rtt_p50_us; });
  if (row.has_throughput) {
    r.throughput = ratio(row.runs, base, [](const path_figures& f) { return f.throughput_rps; });
    if (row.load != "small")
      r.bandwidth = ratio(row.runs, base, [](const path_figures& f) { return f.bandwidth_mib_s; });
  }
  return r;
}

} // namespace

void print_path_header() {
  fmt::print("| path | tx | load | p50 us (min-max) | p99 us | req/s (min-max) | MiB/s "
             "| p50 x raw | req/s % raw | MiB/s % raw | p50 x thing-sim | req/s % thing-sim "
             "| p50 x raw-proxy | req/s % raw-proxy | MiB/s % raw-proxy | goals |\n"
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

void print_path_row(const path_row& row, verdict_table& verdicts) {
  auto p50 = [](const path_figures& f) { return f.rtt_p50_us; };
  auto p99 = [](const path_figures& f) { return f.rtt_p99_us; };
  auto rps = [](const path_figures& f) { return f.throughput_rps; };
  auto mib = [](const path_figures& f) { return f.bandwidth_mib_s; };
  bool is_raw = row.path == "raw";
  auto vs_raw = is_raw ? ratios{} : ratios_to(row, row.raw_runs);
  // thing-sim: how much a path adds over the server it talks to;
  // raw-proxy: how the daemon compares with the minimal forwarder.
  auto vs_sim = is_raw || row.path == "thing-sim" ? ratios{} : ratios_to(row, row.sim_runs);
  auto vs_proxy = row.path == "daemon" ? ratios_to(row, row.proxy_runs) : ratios{};
  auto checks = path_goals(row.path, row.transport, row.load, vs_sim, vs_proxy);
  verdicts.add(checks);
  auto bandwidth = row.has_throughput && row.load != "small"
                     ? fmt::format("{:.0f}", over(row.runs, mib).median)
                     : std::string{"-"};
  fmt::print("| {} | {} | {} | {} | {:.1f} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} "
             "| {} |\n",
             row.path, row.transport, row.load, over(row.runs, p50).to_string(),
             over(row.runs, p99).median,
             row.has_throughput ? over(row.runs, rps).to_string(0) : std::string{"-"},
             bandwidth, times(vs_raw.p50), pct(vs_raw.throughput), pct(vs_raw.bandwidth),
             times(vs_sim.p50), pct(vs_sim.throughput), times(vs_proxy.p50),
             pct(vs_proxy.throughput), pct(vs_proxy.bandwidth), goals_cell(checks));
  std::fflush(stdout);
}

void print_fleet_header() {
  fmt::print("| Things | all connected s (min-max) | RSS MB idle | peak RSS MB | threads "
             "| idle CPU % | req/s spread over fleet | p50 us | goals |\n"
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

void print_fleet_row(const fleet_figures& fig, verdict_table& verdicts) {
  auto connected = summarize(fig.connected_s);
  auto checks =
    fleet_goals({fig.things, connected.median, fig.threads, fig.rss_mb, fig.idle_cpu_pct});
  verdicts.add(checks);
  fmt::print("| {} | {} | {:.1f} | {:.1f} | {} | {:.2f} | {:.0f} | {:.1f} | {} |\n", fig.things,
             connected.to_string(3), fig.rss_mb, fig.peak_rss_mb, fig.threads, fig.idle_cpu_pct,
             fig.throughput_rps, fig.rtt_p50_us,
             goals_cell(checks));
  std::fflush(stdout);
}

void print_fleet_failure(int things, const std::string& why, verdict_table& verdicts) {
  verdicts.add(fleet_failed(things));
  std::string cell; // client ids contain '|', which would split the cell
  for (char c : why)
    cell += c == '|' ? std::string{"\\|"} : std::string(1, c);
  fmt::print("| {} | FAILED: {} | | | | | | | goals MISSED |\n", things, cell);
  std::fflush(stdout);
}

std::optional<double> median_ratio(const std::vector<double>& xs, const std::vector<double>& base) {
  std::vector<double> r;
  for (std::size_t i = 0; i < xs.size() && i < base.size(); ++i)
    if (base[i] > 0)
      r.push_back(xs[i] / base[i]);
  if (r.empty())
    return std::nullopt;
  return summarize(r).median;
}

void print_group_header() {
  fmt::print("| path | tx | load | p50 us (min-max) | p99 us | req/s (min-max) "
             "| compared (same repetitions) | goals |\n"
             "|---|---|---|---:|---:|---:|---|---|\n");
}

void print_group_row(const group_row& row, const std::string& compared,
                     const std::vector<goal_check>& checks, verdict_table& verdicts) {
  verdicts.add(checks);
  if (row.runs.empty()) { // a run that did not finish (the goals say why)
    fmt::print("| {} | {} | {} | - | - | - | {} | {} |\n", row.path, row.transport, row.load,
               compared.empty() ? std::string{"-"} : compared, goals_cell(checks));
    std::fflush(stdout);
    return;
  }
  auto p50 = [](const path_figures& f) { return f.rtt_p50_us; };
  auto p99 = [](const path_figures& f) { return f.rtt_p99_us; };
  auto rps = [](const path_figures& f) { return f.throughput_rps; };
  fmt::print("| {} | {} | {} | {} | {:.1f} | {} | {} | {} |\n", row.path, row.transport, row.load,
             over(row.runs, p50).to_string(), over(row.runs, p99).median,
             row.has_throughput ? over(row.runs, rps).to_string(0) : std::string{"-"},
             compared.empty() ? std::string{"-"} : compared, goals_cell(checks));
  std::fflush(stdout);
}

void print_event_header() {
  fmt::print("| event | seconds (min-max) | requests it took (median) | note | goals |\n"
             "|---|---:|---:|---|---|\n");
}

void print_event_row(const std::string& event, const std::vector<double>& seconds,
                     const std::vector<double>& attempts, const std::string& note,
                     const std::vector<goal_check>& checks, verdict_table& verdicts) {
  verdicts.add(checks);
  fmt::print("| {} | {} | {:.0f} | {} | {} |\n", event, summarize(seconds).to_string(3),
             summarize(attempts).median, note, goals_cell(checks));
  std::fflush(stdout);
}

void print_verdicts(const verdict_table& verdicts) {
  fmt::print("\n");
  verdicts.print();
}

} // namespace holobroker::bench
