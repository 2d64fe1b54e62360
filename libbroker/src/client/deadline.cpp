#include "deadline.hpp"

#include <chrono>

namespace holobroker::client {

caf::timespan deadline_of(const request_options& options, const client_config& cfg,
                          const std::string& thing_id) {
  if (options.deadline)
    return *options.deadline;
  const auto& policy = cfg.policy_for(thing_id);
  auto default_deadline = policy.own_deadlines ? policy.default_deadline : cfg.default_deadline;
  auto margin = policy.own_deadlines ? policy.deadline_margin : cfg.deadline_margin;
  const auto& ctx = options.server_context;
  if (!ctx.invokation_timeout && !ctx.execution_timeout)
    return default_deadline;
  double seconds = ctx.invokation_timeout.value_or(0.0) + ctx.execution_timeout.value_or(0.0);
  auto server_side = std::chrono::duration_cast<caf::timespan>(
    std::chrono::duration<double>{seconds});
  return server_side + margin;
}

} // namespace holobroker::client
