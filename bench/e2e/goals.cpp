#include "goals.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace holobroker::bench {

namespace {

// The goals of issue 10, in the order the verdict table lists them.
const char* const daemon_p50 = "daemon path p50 <= 1.1x raw-proxy";
const char* const daemon_rps = "daemon path pipelined req/s >= 80 % of raw-proxy (small, 1KiB)";
const char* const daemon_mib = "daemon path 1 MiB bandwidth >= 90 % of raw-proxy";
const char* const client_p50 = "one client actor p50 <= 1.2x raw client -> thing-sim";
const char* const client_rps = "one client actor pipelined >= 70 % of raw client -> thing-sim";
const char* const fleet_connected = "1 000 Things all connected <= 0.5 s";
const char* const fleet_threads = "1 000 Things: <= 8 threads";
const char* const fleet_rss = "1 000 Things: idle RSS <= 60 MB";
const char* const fleet_cpu = "1 000 Things: idle CPU ~0 (< 1 % of one core)";

// Issue 11: the CURVE front end and misbehaving neighbours.
const char* const curve_p50 = "CURVE front end p50 <= 1.15x plain TCP (issue 11)";
const char* const curve_rps = "CURVE front end pipelined >= 85 % of plain TCP (issue 11)";
const char* const neighbour_flood =
  "small-read p50 with a flooding neighbour within noise of alone (issue 11)";
const char* const neighbour_noread =
  "small-read p50 with a never-reading neighbour within noise of alone (issue 11)";
// The same with the neighbour's threads at nice 19: what is left is the
// daemon's share (the OS gives the neighbour's own CPU away first, as it
// would be elsewhere for a client on another host).
const char* const neighbour_flood_niced =
  "same, flooding neighbour at nice 19: the daemon's share (issue 11)";
const char* const neighbour_noread_niced =
  "same, never-reading neighbour at nice 19: the daemon's share (issue 11)";
// Issue 12: through one peer broker.
const char* const peer_p50 = "through one peer p50 <= local daemon p50 + raw TCP p50 (issue 12)";
const char* const peer_rps = "through one peer pipelined >= 50 % of local daemon (issue 12)";
const char* const peer_reload = "Thing added at the peer by SIGHUP readable <= 1 s (issue 12)";
const char* const peer_restart = "killed peer served again <= 2 s after restart (issue 12)";

const char* const all_goals[] = {daemon_p50,      daemon_rps,      daemon_mib,      client_p50,
                                 client_rps,      fleet_connected, fleet_threads,   fleet_rss,
                                 fleet_cpu,       curve_p50,       curve_rps,       neighbour_flood,
                                 neighbour_noread, neighbour_flood_niced, neighbour_noread_niced,
                                 peer_p50,        peer_rps,        peer_reload,     peer_restart};

constexpr int fleet_goal_things = 1000;

std::string mark(bool met) {
  return met ? "met" : "MISSED";
}

void at_most(std::vector<goal_check>& out, const char* goal, std::string label,
             std::string where, const std::optional<double>& x, double limit) {
  if (x)
    out.push_back({goal, std::move(label), std::move(where), fmt::format("{:.2f}x", *x),
                   *x <= limit});
}

void at_least(std::vector<goal_check>& out, const char* goal, std::string label,
              std::string where, const std::optional<double>& x, double limit) {
  if (x)
    out.push_back({goal, std::move(label), std::move(where), fmt::format("{:.0f}%", *x * 100),
                   *x >= limit});
}

} // namespace

std::vector<goal_check> path_goals(const std::string& path, const std::string& transport,
                                   const std::string& load, const ratios& vs_sim,
                                   const ratios& vs_proxy) {
  std::vector<goal_check> out;
  auto where = transport + " " + load;
  bool big = load == "1MiB";
  if (path == "daemon") {
    at_most(out, daemon_p50, "p50<=1.1x raw-proxy", where, vs_proxy.p50, 1.1);
    if (big)
      at_least(out, daemon_mib, "MiB/s>=90% raw-proxy", where, vs_proxy.bandwidth, 0.9);
    else
      at_least(out, daemon_rps, "req/s>=80% raw-proxy", where, vs_proxy.throughput, 0.8);
  } else if (path == "client") {
    at_most(out, client_p50, "p50<=1.2x thing-sim", where, vs_sim.p50, 1.2);
    if (big)
      at_least(out, client_rps, "MiB/s>=70% thing-sim", where, vs_sim.bandwidth, 0.7);
    else
      at_least(out, client_rps, "req/s>=70% thing-sim", where, vs_sim.throughput, 0.7);
  }
  return out;
}

std::vector<goal_check> fleet_goals(const fleet_goal_input& in) {
  auto where = fmt::format("{} Things", in.things);
  return {{fleet_connected, "<=0.5s", where, fmt::format("{:.3f} s", in.connected_s),
           in.connected_s <= 0.5},
          {fleet_threads, "<=8 thr", where, fmt::format("{}", in.threads), in.threads <= 8},
          {fleet_rss, "<=60MB", where, fmt::format("{:.1f} MB", in.rss_mb), in.rss_mb <= 60.0},
          {fleet_cpu, "idle<1%", where, fmt::format("{:.2f} %", in.idle_cpu_pct),
           in.idle_cpu_pct < 1.0}};
}

std::vector<goal_check> fleet_failed(int things) {
  auto where = fmt::format("{} Things", things);
  std::vector<goal_check> out;
  for (const char* g : {fleet_connected, fleet_threads, fleet_rss, fleet_cpu})
    out.push_back({g, "fleet", where, "did not start", false});
  return out;
}

std::vector<goal_check> curve_goals(const std::string& load, const std::optional<double>& p50,
                                    const std::optional<double>& throughput) {
  std::vector<goal_check> out;
  auto where = "tcp " + load;
  at_most(out, curve_p50, "p50<=1.15x plain tcp", where, p50, 1.15);
  at_least(out, curve_rps, "req/s>=85% plain tcp", where, throughput, 0.85);
  return out;
}

std::vector<goal_check> peer_goals(const std::string& transport, const std::string& load,
                                   const std::optional<double>& p50,
                                   const std::optional<double>& throughput) {
  std::vector<goal_check> out;
  auto where = transport + " " + load;
  at_most(out, peer_p50, "p50<=1.0x (local+raw tcp)", where, p50, 1.0);
  at_least(out, peer_rps, "req/s>=50% local", where, throughput, 0.5);
  return out;
}

goal_check peer_reload_goal(double seconds) {
  return {peer_reload, "<=1s", "SIGHUP at the peer", fmt::format("{:.3f} s", seconds),
          seconds <= 1.0};
}

goal_check peer_restart_goal(double seconds) {
  return {peer_restart, "<=2s", "peer restart", fmt::format("{:.3f} s", seconds), seconds <= 2.0};
}

goal_check neighbour_goal(const std::string& kind, bool niced, double ratio, double noise) {
  const char* goal = kind == "flood" ? (niced ? neighbour_flood_niced : neighbour_flood)
                                     : (niced ? neighbour_noread_niced : neighbour_noread);
  return {goal, fmt::format("p50<={:.2f}x alone", 1.0 + noise),
          "ipc small " + kind + (niced ? " (nice 19)" : ""),
          fmt::format("{:.2f}x (noise {:.0f}%)", ratio, noise * 100), ratio <= 1.0 + noise};
}

std::string goals_cell(const std::vector<goal_check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    if (!out.empty())
      out += ", ";
    out += c.label + " " + mark(c.met);
  }
  return out;
}

void verdict_table::add(const std::vector<goal_check>& checks) {
  for (const auto& c : checks) {
    // Fleet goals are set for 1 000 Things: smaller fleets only show in their row.
    if (c.goal.rfind("1 000 Things", 0) == 0
        && c.where != fmt::format("{} Things", fleet_goal_things))
      continue;
    by_goal_[c.goal].push_back(c);
  }
}

void verdict_table::print() const {
  fmt::print("| goal (issue 10 unless named) | figures of this run | verdict |\n|---|---|---|\n");
  for (const char* goal : all_goals) {
    auto it = by_goal_.find(goal);
    if (it == by_goal_.end()) {
      fmt::print("| {} | not run | - |\n", goal);
      continue;
    }
    std::string figures;
    int met = 0;
    for (const auto& c : it->second) {
      if (!figures.empty())
        figures += ", ";
      figures += c.where + " " + c.value;
      met += c.met ? 1 : 0;
    }
    auto n = static_cast<int>(it->second.size());
    auto verdict = met == n ? std::string{"met"}
                            : fmt::format("MISSED ({} of {} met)", met, n);
    fmt::print("| {} | {} | {} |\n", goal, figures, verdict);
  }
  std::fflush(stdout);
}

} // namespace holobroker::bench
