#include "workload.hpp"

#include "holobroker/wire/requests.hpp"

namespace holobroker::bench {

std::vector<workload> standard_workloads(bool quick) {
  std::size_t k = quick ? 10 : 1;
  std::vector<workload> out;
  workload small;
  small.name = "small";
  small.objekt = "integration_time";
  small.operation = std::string{wire::op::read_property};
  small.rtt_iterations = 10000 / k;
  small.pipelined = 50000 / k;
  out.push_back(small);

  workload kib;
  kib.name = "1KiB";
  kib.objekt = "echo";
  kib.operation = std::string{wire::op::invoke_action};
  kib.size = 1024;
  kib.payload = json_object_payload(kib.size);
  kib.rtt_iterations = 10000 / k;
  kib.pipelined = 50000 / k;
  out.push_back(kib);

  workload mib;
  mib.name = "1MiB";
  mib.objekt = "echo";
  mib.operation = std::string{wire::op::invoke_action};
  mib.size = 1024 * 1024;
  mib.payload = wire::shared_bytes::copy_of("{}");
  mib.preserialized = wire::shared_bytes::from_string(std::string(mib.size, '\x5a'));
  mib.rtt_iterations = 300 / k;
  mib.pipelined = 1000 / k;
  out.push_back(mib);
  return out;
}

wire::shared_bytes json_object_payload(std::size_t size) {
  constexpr std::string_view head = R"({"value":")";
  constexpr std::string_view tail = R"("})";
  if (size < head.size() + tail.size())
    return wire::shared_bytes::copy_of("{}");
  std::string text{head};
  text.append(size - head.size() - tail.size(), 'x');
  text += tail;
  return wire::shared_bytes::from_string(std::move(text));
}

wire::request make_request(const workload& w, std::string_view client_id,
                           std::string_view server_id, std::string_view thing_id) {
  return wire::make_operation(client_id, server_id, thing_id, w.objekt, w.operation, w.payload,
                              wire::default_operation_context(), {}, w.preserialized);
}

} // namespace holobroker::bench
