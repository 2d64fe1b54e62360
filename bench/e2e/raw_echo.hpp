#pragma once

// The baseline: a raw libzmq ROUTER<->ROUTER echo with hololinked's 5-frame
// messages and sizes, no parsing at all. Every other path is compared with
// this limit, measured in the same run.

#include <string>

#include "figures.hpp"
#include "workload.hpp"

namespace holobroker::bench {

/// Runs the raw echo over `transport` ("ipc" or "tcp"); IPC files go to
/// `work_dir`; `window` requests in flight for the throughput run.
path_figures run_raw_echo(const std::string& transport, const workload& w,
                          const std::string& work_dir, int window);

} // namespace holobroker::bench
