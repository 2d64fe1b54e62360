#include "holobroker/security/policy.hpp"

#include <fnmatch.h>

#include <fmt/format.h>

namespace holobroker::security {

namespace {

constexpr std::pair<operation, std::string_view> names[] = {
  {operation::read, "read"},           {operation::write, "write"},
  {operation::invoke, "invoke"},       {operation::subscribe, "subscribe"},
  {operation::introspect, "introspect"},
};

} // namespace

std::string_view to_string(operation op) {
  for (const auto& [value, name] : names)
    if (value == op)
      return name;
  return "?";
}

std::optional<operation> parse_operation(std::string_view name) {
  for (const auto& [value, n] : names)
    if (n == name)
      return value;
  return std::nullopt;
}

std::optional<operation> operation_of(std::string_view wire_operation, std::string_view objekt) {
  if (wire_operation == "readproperty" || wire_operation == "readmultipleproperties"
      || wire_operation == "readallproperties")
    return operation::read;
  if (wire_operation == "writeproperty" || wire_operation == "writemultipleproperties"
      || wire_operation == "writeallproperties" || wire_operation == "deleteproperty")
    return operation::write;
  if (wire_operation == "invokeaction")
    return objekt == "get_thing_description" ? operation::introspect : operation::invoke;
  if (wire_operation == "observeproperty" || wire_operation == "unobserveproperty"
      || wire_operation == "subscribeevent" || wire_operation == "unsubscribeevent")
    return operation::subscribe;
  return std::nullopt;
}

bool principal_selector::matches(const principal& p) const {
  switch (what) {
    case kind::any: return true;
    case kind::uid: return p.kind == principal_kind::unix_peer && p.uid == id;
    case kind::gid: return p.in_group(id);
    case kind::cidr: return p.kind == principal_kind::tcp_peer && range->contains(p.address);
    case kind::key: return p.kind == principal_kind::curve_key && p.key_name == key;
  }
  return false;
}

bool policy_rule::covers(std::string_view thing) const {
  std::string t{thing};
  for (const auto& glob : things)
    if (::fnmatch(glob.c_str(), t.c_str(), 0) == 0)
      return true;
  return false;
}

decision policy::authorize(const principal& p, std::string_view thing, operation op) const {
  bool mentioned = false;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    if (!r.who.matches(p))
      continue;
    mentioned = true;
    if ((r.operations & static_cast<operation_set>(op)) != 0 && r.covers(thing))
      return {true, fmt::format("security.policy[{}] ({})", i, r.who.text)};
  }
  if (!mentioned)
    return {false, "no policy rule is about this principal"};
  return {false, fmt::format("no policy rule allows {} on this Thing", to_string(op))};
}

bool policy::allows_somewhere(const principal& p, operation op) const {
  for (const auto& r : rules)
    if (r.who.matches(p) && (r.operations & static_cast<operation_set>(op)) != 0
        && !r.things.empty())
      return true;
  return false;
}

bool policy::mentions(const principal& p) const {
  for (const auto& r : rules)
    if (r.who.matches(p))
      return true;
  return false;
}

} // namespace holobroker::security
