#pragma once

// What each principal may do: rules of principal -> Thing globs ->
// operations, from the `security.policy` list of the configuration. Once a
// policy is configured, what no rule allows is denied.
//
// Operations, from hololinked's wire operations:
//   read       readproperty, readmultipleproperties, readallproperties
//   write      writeproperty, writemultipleproperties, writeallproperties,
//              deleteproperty
//   invoke     invokeaction (except get_thing_description)
//   subscribe  the event publisher; observeproperty / subscribeevent and
//              their un- forms when they arrive as requests
//   introspect get_thing_description, and the broker's own actions
//              (thingID = broker id: ping, things, status, last_event)
// An operation name the broker does not know maps to nothing and is denied.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "holobroker/security/cidr.hpp"
#include "holobroker/security/principal.hpp"

namespace holobroker::security {

enum class operation : std::uint8_t {
  read = 1,
  write = 2,
  invoke = 4,
  subscribe = 8,
  introspect = 16,
};

using operation_set = std::uint8_t;
inline constexpr operation_set all_operations = 31;

std::string_view to_string(operation op);
/// `read` ... `introspect`; nullopt for anything else.
std::optional<operation> parse_operation(std::string_view name);

/// The policy operation of a hololinked request (see above); nullopt for a
/// wire operation that is none of them.
std::optional<operation> operation_of(std::string_view wire_operation, std::string_view objekt);

/// Who a rule is about: `"*"` (anyone, even anonymous), a uid, a group (the
/// peer's primary or a supplementary group), an address range or a CURVE key
/// name.
struct principal_selector {
  enum class kind : std::uint8_t { any, uid, gid, cidr, key };
  kind what = kind::any;
  std::uint32_t id = 0;
  std::optional<security::cidr> range;
  std::string key;
  std::string text; ///< as written, e.g. `group lab (gid 1002)`, for logs

  bool matches(const principal& p) const;
  friend bool operator==(const principal_selector& a, const principal_selector& b) {
    return a.text == b.text;
  }
};

struct policy_rule {
  principal_selector who;
  std::vector<std::string> things; ///< fnmatch(3) globs
  operation_set operations = 0;

  bool covers(std::string_view thing) const;
  friend bool operator==(const policy_rule&, const policy_rule&) = default;
};

struct decision {
  bool allowed = false;
  /// For the log and the PermissionError: which rule allowed, or why not.
  std::string reason;
};

struct policy {
  std::vector<policy_rule> rules;

  decision authorize(const principal& p, std::string_view thing, operation op) const;
  /// Whether any rule is about `p` at all: the ZAP handler refuses the
  /// connection of a principal the policy never mentions.
  bool mentions(const principal& p) const;
  /// Whether some rule about `p` allows `op` on some Thing (the event
  /// publisher refuses the connection of a principal that may subscribe to
  /// nothing at all).
  bool allows_somewhere(const principal& p, operation op) const;

  friend bool operator==(const policy&, const policy&) = default;
};

} // namespace holobroker::security
