#include "holobroker/security/authorizer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace holobroker::security {

authorizer::authorizer(std::optional<policy> rules) { replace(std::move(rules)); }

void authorizer::replace(std::optional<policy> rules) {
  std::shared_ptr<const policy> next;
  if (rules)
    next = std::make_shared<const policy>(std::move(*rules));
  std::lock_guard<std::mutex> guard{mutex_};
  rules_ = std::move(next);
}

bool authorizer::has_policy() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return rules_ != nullptr;
}

request_verdict authorizer::authorize(const request_facts& f) const {
  std::shared_ptr<const policy> rules;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    rules = rules_;
  }
  auto who = parse_user_id(f.user_id);
  if (!who) {
    spdlog::warn("security: malformed User-Id \"{}\"; treating the peer as anonymous",
                 f.user_id);
    who = principal{};
  }
  auto op = f.broker_itself ? std::optional<operation>{operation::introspect}
                            : operation_of(f.wire_operation, f.objekt);
  request_verdict v;
  auto record = [&](std::string outcome, std::string detail) {
    return audit_record{who->describe(),
                        std::string{f.thing},
                        op ? std::string{to_string(*op)} : std::string{f.wire_operation},
                        std::string{f.objekt},
                        std::string{f.message_id},
                        std::move(outcome),
                        std::move(detail)};
  };
  if (rules) {
    std::string reason;
    if (!op) {
      reason = fmt::format("operation \"{}\" is not one the policy knows", f.wire_operation);
    } else {
      auto d = rules->authorize(*who, f.thing, *op);
      if (!d.allowed)
        reason = std::move(d.reason);
    }
    if (!reason.empty()) {
      v.allowed = false;
      v.message = fmt::format("holobroker: {} may not {} Thing '{}' ({})", who->describe(),
                              op ? to_string(*op) : std::string_view{f.wire_operation}, f.thing,
                              reason);
      // A subscription on the event publisher has no message id.
      spdlog::warn("security: denied {} {} {}/{}{}: {}", who->describe(),
                   op ? to_string(*op) : std::string_view{f.wire_operation}, f.thing, f.objekt,
                   f.message_id.empty() ? std::string{}
                                        : fmt::format(" (message id {})", f.message_id),
                   reason);
      audit(record("denied", reason));
      return v;
    }
  }
  if (op == operation::write || op == operation::invoke)
    v.pending_audit = record({}, rules ? "allowed by the policy" : "no policy configured");
  return v;
}

} // namespace holobroker::security
