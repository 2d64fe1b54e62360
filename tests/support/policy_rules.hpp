#pragma once

// Access-control rules as the tests write them (what the configuration
// loader would make of `principal: {uid: N}` and friends).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "holobroker/security/policy.hpp"

namespace holobroker::test {

/// `principal: {uid: N}` or `{gid: N}`.
inline security::principal_selector id_selector(security::principal_selector::kind kind,
                                                std::uint32_t id) {
  security::principal_selector s;
  s.what = kind;
  s.id = id;
  s.text = (kind == security::principal_selector::kind::uid ? "uid " : "gid ")
           + std::to_string(id);
  return s;
}

inline security::principal_selector uid_selector(std::uint32_t uid) {
  return id_selector(security::principal_selector::kind::uid, uid);
}

inline security::principal_selector gid_selector(std::uint32_t gid) {
  return id_selector(security::principal_selector::kind::gid, gid);
}

/// `who` may do `ops` on `things` (globs).
inline security::policy_rule rule(security::principal_selector who,
                                  std::vector<std::string> things,
                                  std::initializer_list<security::operation> ops) {
  security::policy_rule r;
  r.who = std::move(who);
  r.things = std::move(things);
  for (auto op : ops)
    r.operations = static_cast<security::operation_set>(
      r.operations | static_cast<security::operation_set>(op));
  return r;
}

} // namespace holobroker::test
