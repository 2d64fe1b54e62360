#pragma once

// The front end's per-request decision: who (the User-Id the ZAP handler
// gave the connection), which Thing, which operation; the policy answers,
// denials are logged and audited at once, and writes and invokes are marked
// so that the front end audits their outcome when they end. broker_node
// replaces the policy on SIGHUP; the front end's actor and broker_node's
// thread share this object, hence the lock around the (immutable) policy.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "holobroker/security/audit.hpp"
#include "holobroker/security/policy.hpp"
#include "holobroker/security/principal.hpp"

namespace holobroker::security {

struct request_facts {
  std::string_view user_id;
  std::string_view thing;
  std::string_view wire_operation;
  std::string_view objekt;
  std::string_view message_id;
  bool broker_itself = false; ///< thingID = the broker's id (introspection)
};

struct request_verdict {
  bool allowed = true;
  /// The PermissionError message for the client when denied.
  std::string message;
  /// Set for writes and invokes (allowed): complete it with the outcome and
  /// pass it to audit().
  std::optional<audit_record> pending_audit;
};

class authorizer {
public:
  /// No policy: everything is allowed (writes and invokes are still audited).
  explicit authorizer(std::optional<policy> rules = std::nullopt);

  void replace(std::optional<policy> rules);
  bool has_policy() const;

  request_verdict authorize(const request_facts& facts) const;

private:
  mutable std::mutex mutex_;
  std::shared_ptr<const policy> rules_;
};

} // namespace holobroker::security
