#pragma once

// The goals of issue 10, judged on the figures of one run: the daemon path
// against the minimal forwarder (raw-proxy) and one client actor against the
// raw client -> thing-sim path, both measured in the same repetitions; the
// fleet against absolute limits. Each row's goals column lists what applies
// to it; the verdict table at the end has one row per goal.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace holobroker::bench {

/// Ratios of one path to a reference path (medians of per-repetition ratios).
struct ratios {
  std::optional<double> p50;        ///< path p50 / reference p50
  std::optional<double> throughput; ///< path req/s / reference req/s
  std::optional<double> bandwidth;  ///< path MiB/s / reference MiB/s
};

/// One goal judged on one row.
struct goal_check {
  std::string goal;  ///< the goal, as the verdict table names it
  std::string label; ///< short form for the goals column ("p50<=1.1x raw-proxy")
  std::string where; ///< "ipc small", "1000 Things"
  std::string value; ///< the measured figure ("1.07x", "85%", "0.36 s")
  bool met = false;
};

/// The goals for path `path` ("client", "daemon", ...) on workload `load`
/// ("small", "1KiB", "1MiB") over `transport`, given its ratios to
/// thing-sim and to raw-proxy; empty when no goal applies (or a reference
/// was not run).
std::vector<goal_check> path_goals(const std::string& path, const std::string& transport,
                                   const std::string& load, const ratios& vs_sim,
                                   const ratios& vs_proxy);

struct fleet_goal_input {
  int things = 0;
  double connected_s = 0;
  int threads = 0;
  double rss_mb = 0;
  double idle_cpu_pct = 0;
};

/// The fleet goals (all connected <= 0.5 s, <= 8 threads, idle RSS <= 60 MB,
/// idle CPU ~0 read as < 1 % of one core). They are set for 1 000 Things;
/// smaller fleets are judged by the same limits in their own row, but only a
/// 1 000-Thing fleet counts in the verdict table.
std::vector<goal_check> fleet_goals(const fleet_goal_input& in);

/// A fleet size that did not come up: every fleet goal missed.
std::vector<goal_check> fleet_failed(int things);

/// CURVE front end vs the same daemon's plain TCP front end (issue 11):
/// p50 <= 1.15x, pipelined >= 85 %; ratios are medians of per-repetition
/// ratios (nullopt: not measured).
std::vector<goal_check> curve_goals(const std::string& load, const std::optional<double>& p50,
                                    const std::optional<double>& throughput);

/// Through one peer (issue 12): `p50` is through-peer p50 / (local daemon
/// p50 + raw TCP p50), goal <= 1; `throughput` is through-peer / local
/// daemon pipelined, goal >= 50 %.
std::vector<goal_check> peer_goals(const std::string& transport, const std::string& load,
                                   const std::optional<double>& p50,
                                   const std::optional<double>& throughput);

/// A Thing added at the peer by SIGHUP read through this broker <= 1 s;
/// a killed peer served again <= 2 s after its restart (median seconds).
goal_check peer_reload_goal(double seconds);
goal_check peer_restart_goal(double seconds);

/// A misbehaving neighbour (issue 11): the measured client's p50 with the
/// neighbour / alone (median of per-repetition ratios) must stay within
/// 1 + `noise`, the relative spread of the alone p50 across repetitions.
/// `kind`: "flood" or "no-read"; `niced`: its threads ran at nice 19.
goal_check neighbour_goal(const std::string& kind, bool niced, double ratio, double noise);

/// "p50<=1.1x raw-proxy met, req/s>=80% raw-proxy MISSED".
std::string goals_cell(const std::vector<goal_check>& checks);

/// Every check of a run, by goal; prints one row per goal of issue 10
/// ("not run" for goals no row judged).
class verdict_table {
public:
  void add(const std::vector<goal_check>& checks);
  void print() const;

private:
  std::map<std::string, std::vector<goal_check>> by_goal_;
};

} // namespace holobroker::bench
