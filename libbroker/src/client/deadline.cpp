#include "deadline.hpp"

#include <chrono>

namespace holobroker::client {

caf::timespan deadline_of(const request_options& options, const client_config& cfg) {
  if (options.deadline)
    return *options.deadline;
  const auto& ctx = options.server_context;
  if (!ctx.invokation_timeout && !ctx.execution_timeout)
    return cfg.default_deadline;
  double seconds = ctx.invokation_timeout.value_or(0.0) + ctx.execution_timeout.value_or(0.0);
  auto server_side = std::chrono::duration_cast<caf::timespan>(
    std::chrono::duration<double>{seconds});
  return server_side + cfg.deadline_margin;
}

} // namespace holobroker::client
