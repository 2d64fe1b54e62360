#pragma once

// The baseline: a raw libzmq ROUTER<->ROUTER echo with hololinked's 5-frame
// messages and sizes, no parsing at all. Every other path is compared with
// this limit measured in the same run.

#include <string>

#include "workload.hpp"

namespace holobroker::bench {

/// Figures of one scenario × transport × workload.
struct path_figures {
  double rtt_p50_us = 0;
  double rtt_p99_us = 0;
  double throughput_rps = 0; ///< pipelined, window `window`
  double bandwidth_mib_s = 0;
};

/// Runs the raw echo over `transport` ("ipc" or "tcp"); IPC files go to
/// `work_dir`; `window` requests in flight for the throughput run.
path_figures run_raw_echo(const std::string& transport, const workload& w,
                          const std::string& work_dir, int window);

} // namespace holobroker::bench
