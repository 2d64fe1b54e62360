#pragma once

// The message shapes every benchmark path uses, built with the codec so that
// sizes match real hololinked traffic:
//   small - readproperty `integration_time` (~430 B request header, ~240 B
//           reply header, `null` / `10.0` payloads);
//   1KiB  - invokeaction `echo` with a 1 KiB JSON kwargs object, echoed back
//           verbatim by thing-sim;
//   1MiB  - invokeaction `echo` with 1 MiB in the preserialized frame (how
//           hololinked ships bytes and arrays), echoed back as is.
// The raw baseline echoes the same frames, so every path moves the same
// bytes.

#include <cstddef>
#include <string>
#include <vector>

#include "holobroker/wire/frames.hpp"
#include "holobroker/wire/request.hpp"

namespace holobroker::bench {

struct workload {
  std::string name;           ///< "small", "1KiB", "1MiB"
  std::string objekt;         ///< property or action name
  std::string operation;      ///< wire::op::...
  std::size_t size = 0;       ///< payload bytes each way (bandwidth figure)
  wire::shared_bytes payload = wire::null_payload();
  wire::shared_bytes preserialized = wire::empty_frame();
  std::size_t rtt_iterations = 0; ///< round trips for latency (after warm-up)
  std::size_t pipelined = 0;      ///< requests for the throughput run (after warm-up)
};

/// The standard set; `quick` shrinks iteration counts for smoke runs.
std::vector<workload> standard_workloads(bool quick);

/// A JSON object `{"value":"xxx…"}` of exactly `size` bytes (`{}` below 12).
wire::shared_bytes json_object_payload(std::size_t size);

/// The OPERATION message of `w` from `client_id` to `thing_id` on `server_id`
/// (a fresh message id each call).
wire::request make_request(const workload& w, std::string_view client_id,
                           std::string_view server_id, std::string_view thing_id);

} // namespace holobroker::bench
