#pragma once

// The tables holobroker-bench prints (Markdown, so a run can be pasted into
// docs/BENCHMARKS.md as is): one row per path × transport × workload with
// medians, spread and ratios to the raw echo, to thing-sim and (daemon) to
// the raw proxy; one row per fleet size; the verdict table of the goals.

#include <optional>
#include <string>
#include <vector>

#include "figures.hpp"
#include "fleet.hpp"
#include "goals.hpp"
#include "stats.hpp"

namespace holobroker::bench {

/// Repeated measurements of one path on one transport and workload, with
/// the raw echo's figures of the same repetitions.
struct path_row {
  std::string path;
  std::string transport;
  std::string load;
  std::vector<path_figures> runs;
  std::vector<path_figures> raw_runs; ///< paired with `runs`
  /// thing-sim's own figures of the same repetitions (empty if not run):
  /// how much a path adds over the server it talks to.
  std::vector<path_figures> sim_runs;
  /// The raw proxy's figures of the same repetitions (empty if not run):
  /// what the daemon path is compared with.
  std::vector<path_figures> proxy_runs;
  bool has_throughput = true;
};

void print_path_header();
/// Prints the row and adds its goal checks to `verdicts`.
void print_path_row(const path_row& row, verdict_table& verdicts);

void print_fleet_header();
void print_fleet_row(const fleet_figures& fig, verdict_table& verdicts);
void print_fleet_failure(int things, const std::string& why, verdict_table& verdicts);

/// Median of per-repetition ratios xs[i] / base[i] (pairs with base <= 0
/// skipped); nullopt when there is none.
std::optional<double> median_ratio(const std::vector<double>& xs, const std::vector<double>& base);

/// One row of a benchmark group's table (CURVE, peer, neighbour): a path's
/// repeated figures; the group says what it is compared with.
struct group_row {
  std::string path;
  std::string transport;
  std::string load;
  std::vector<path_figures> runs;
  bool has_throughput = true;
};

void print_group_header();
/// Prints the row with `compared` (the ratios to its references, as text)
/// and `checks` in the goals column, and adds `checks` to `verdicts`.
void print_group_row(const group_row& row, const std::string& compared,
                     const std::vector<goal_check>& checks, verdict_table& verdicts);

void print_event_header();
/// One timed event (seconds per repetition; attempts = requests it took).
void print_event_row(const std::string& event, const std::vector<double>& seconds,
                     const std::vector<double>& attempts, const std::string& note,
                     const std::vector<goal_check>& checks, verdict_table& verdicts);

/// The verdict table (one row per goal).
void print_verdicts(const verdict_table& verdicts);

} // namespace holobroker::bench
