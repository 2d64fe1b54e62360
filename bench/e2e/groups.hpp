#pragma once

// The benchmark groups beyond the paths and fleets, each run in the same
// invocation as the paths and each comparing figures taken in the same
// repetitions (pairs measured back to back):
//   curve     - the daemon's CURVE front end vs the same daemon's plain TCP
//               front end, under a security policy (issue 11);
//   peer      - two holobrokerd federated over CAF's middleman on loopback:
//               through the peer vs the local daemon vs one raw TCP round
//               trip; a Thing added at the peer by SIGHUP and a killed peer's
//               restart, timed until a read through the first broker
//               succeeds (issue 12);
//   neighbour - one client's small reads alone, next to a client flooding
//               requests, next to a client that never reads (issue 11).
// Every child process belongs to an object that kills and reaps it when
// the group ends, however it ends; the files stay in the run's work dir,
// which main removes.

#include <string>
#include <vector>

#include "goals.hpp"

namespace holobroker::bench {

struct group_options {
  std::string thing_sim;
  std::string holobrokerd;
  std::string work_dir; ///< the run's work dir; each group uses a subdirectory
  bool quick = false;
  int repeat = 3;
  int window = 64;
  std::vector<std::string> loads; ///< of "small", "1KiB" (1MiB is not run here)
  /// The neighbour group's limits.max_requests_per_second_per_client (0:
  /// not set, the default) and its burst (0: the daemon's default).
  int client_rate = 0;
  int client_burst = 0;
};

void run_curve_group(const group_options& opt, verdict_table& verdicts);
void run_peer_group(const group_options& opt, verdict_table& verdicts);
void run_neighbour_group(const group_options& opt, verdict_table& verdicts);

/// A TCP port of the loopback that was free a moment ago (bound to port 0,
/// then closed): for endpoints that must be named before they listen (a
/// peer's federation port, kept across its restart).
int free_tcp_port();

} // namespace holobroker::bench
