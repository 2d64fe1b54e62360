#pragma once

// What one measurement of one path yields.

namespace holobroker::bench {

struct path_figures {
  double rtt_p50_us = 0;     ///< one request in flight
  double rtt_p99_us = 0;
  double throughput_rps = 0; ///< pipelined with a window of requests in flight
  double bandwidth_mib_s = 0; ///< payload bytes both ways at that rate
};

} // namespace holobroker::bench
