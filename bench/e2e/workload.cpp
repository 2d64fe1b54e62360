#include "workload.hpp"

namespace holobroker::bench {

std::vector<workload> standard_workloads(bool quick) {
  std::size_t k = quick ? 10 : 1;
  return {
    {"small", 0, 20000 / k, 200000 / k},
    {"1KiB", 1024, 20000 / k, 200000 / k},
    {"1MiB", 1024 * 1024, 400 / k, 2000 / k},
  };
}

wire::shared_bytes json_payload(std::size_t size) {
  if (size < 2)
    return wire::null_payload();
  std::string text(size, 'x');
  text.front() = '"';
  text.back() = '"';
  return wire::shared_bytes::from_string(std::move(text));
}

} // namespace holobroker::bench
