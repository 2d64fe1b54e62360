#pragma once

// Fleet scale: holobrokerd in front of N Things served by thing-sim (10
// Things per simulated server): how long until every Thing is handshaken,
// what the idle daemon costs (RSS, threads, CPU over an idle period), and
// throughput with small reads spread over the whole fleet.

#include <string>
#include <vector>

namespace holobroker::bench {

struct fleet_options {
  std::string thing_sim;   ///< path of thing-sim
  std::string holobrokerd; ///< path of holobrokerd
  std::string work_dir;    ///< a fresh directory for this fleet
  int things = 10;
  double idle_seconds = 10;
  int window = 64;
  std::size_t requests = 50000; ///< for the throughput run
  int repeat = 3;               ///< daemon starts timed (the last one goes on)
};

struct fleet_figures {
  int things = 0;
  std::vector<double> connected_s; ///< per start: daemon start -> all Things connected
  double rss_mb = 0;      ///< after connecting, idle
  double peak_rss_mb = 0; ///< VmHWM at the end (after the throughput run)
  int threads = 0;
  double idle_cpu_pct = 0; ///< of one core, over the idle period
  double throughput_rps = 0;
  double rtt_p50_us = 0;
};

fleet_figures run_fleet(const fleet_options& opts);

} // namespace holobroker::bench
