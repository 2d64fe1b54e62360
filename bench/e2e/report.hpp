#pragma once

// The tables holobroker-bench prints (Markdown, so a run can be pasted into
// docs/BENCHMARKS.md as is): one row per path × transport × workload with
// medians, spread and ratios to the raw echo; one row per fleet size.

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
  bool has_throughput = true;
};

void print_path_header();
void print_path_row(const path_row& row);

void print_fleet_header();
void print_fleet_row(const fleet_figures& fig);
void print_fleet_failure(int things, const std::string& why);

} // namespace holobroker::bench
