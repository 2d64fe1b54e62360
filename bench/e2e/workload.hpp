#pragma once

// The message shapes every benchmark scenario uses, built with the codec so
// sizes match real hololinked traffic: a small property read (~430 B
// request header, ~240 B reply header), a ~1 KiB and a 1 MiB echo.

#include <cstddef>
#include <string>
#include <vector>

#include "holobroker/wire/frames.hpp"

namespace holobroker::bench {

struct workload {
  std::string name;           ///< "small", "1KiB", "1MiB"
  std::size_t payload_size;   ///< request and reply payload bytes (0 = `null`)
  std::size_t rtt_iterations; ///< round trips for latency
  std::size_t pipelined;      ///< requests for the throughput run
};

/// The standard set; `quick` shrinks iteration counts for smoke runs.
std::vector<workload> standard_workloads(bool quick);

/// A JSON string payload of exactly `size` bytes (`"xxx…"`); `null` for 0.
wire::shared_bytes json_payload(std::size_t size);

} // namespace holobroker::bench
