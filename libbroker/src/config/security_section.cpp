#include "security_section.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "strict_yaml.hpp"

namespace holobroker::config::detail {

namespace {

using security::operation_set;
using security::principal_selector;

/// The shared strict style (strict_yaml.hpp) and the security section's
/// own value kinds (file modes, address ranges, users, groups, principals).
class section_reader : public yaml::strict_reader {
public:
  using strict_reader::strict_reader;

  /// A file mode such as "0660".
  std::uint32_t file_mode(const YAML::Node& node, const std::string& key) const {
    const auto& text = node.IsScalar() ? node.Scalar() : std::string{};
    std::uint32_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 8);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value > 0777)
      fail(node, key, "must be an octal file mode such as \"0660\"");
    return value;
  }

  std::vector<security::cidr> ranges(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence())
      fail(node, key, "must be a list of address ranges (10.0.0.0/8, ::1/128)");
    std::vector<security::cidr> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto item = fmt::format("{}[{}]", key, i);
      auto text = string(node[i], item);
      auto c = security::cidr::parse(text);
      if (!c)
        fail(node[i], item, fmt::format("\"{}\" is not an address range (10.0.0.0/8, ::1/128)",
                                        text));
      out.push_back(std::move(*c));
    }
    return out;
  }

  std::uint32_t user_id(const YAML::Node& node, const std::string& key) const {
    auto name = string(node, key);
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
      fail(node, key, fmt::format("no such user \"{}\" on this host", name));
    return pw.pw_uid;
  }

  std::uint32_t group_id(const YAML::Node& node, const std::string& key) const {
    auto name = string(node, key);
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    if (::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found)
      fail(node, key, fmt::format("no such group \"{}\" on this host", name));
    return gr.gr_gid;
  }

  principal_selector who(const YAML::Node& node, const std::string& key) const {
    principal_selector s;
    if (node.IsScalar() && node.Scalar() == "*") {
      s.text = std::string(1, '*');
      return s;
    }
    static const std::vector<std::string_view> kinds{"uid", "user", "gid", "group", "cidr", "key"};
    check_keys(node, key, kinds);
    if (node.size() != 1)
      fail(node, key, "must name exactly one of uid, user, gid, group, cidr, key (or be \"*\")");
    auto it = node.begin();
    auto kind = it->first.Scalar();
    auto value = it->second;
    auto sub = fmt::format("{}.{}", key, kind);
    if (kind == "uid" || kind == "user") {
      s.what = principal_selector::kind::uid;
      s.id = kind == "uid" ? static_cast<std::uint32_t>(unsigned_int(value, sub, 0, 0xfffffffe))
                           : user_id(value, sub);
      s.text = kind == "uid" ? fmt::format("uid {}", s.id)
                             : fmt::format("user {} (uid {})", value.Scalar(), s.id);
    } else if (kind == "gid" || kind == "group") {
      s.what = principal_selector::kind::gid;
      s.id = kind == "gid" ? static_cast<std::uint32_t>(unsigned_int(value, sub, 0, 0xfffffffe))
                           : group_id(value, sub);
      s.text = kind == "gid" ? fmt::format("gid {}", s.id)
                             : fmt::format("group {} (gid {})", value.Scalar(), s.id);
    } else if (kind == "cidr") {
      s.what = principal_selector::kind::cidr;
      auto text = string(value, sub);
      s.range = security::cidr::parse(text);
      if (!s.range)
        fail(value, sub, fmt::format("\"{}\" is not an address range (10.0.0.0/8, ::1/128)",
                                     text));
      s.text = fmt::format("cidr {}", text);
    } else {
      s.what = principal_selector::kind::key;
      s.key = string(value, sub);
      if (s.key.empty() || s.key.find_first_of("/:") != std::string::npos)
        fail(value, sub, "must be a key name (a file name in curve.client_keys, no / or :)");
      s.text = fmt::format("key {}", s.key);
    }
    return s;
  }

  security::policy policy(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence())
      fail(node, key, "must be a list of rules {principal, things, operations}");
    security::policy p;
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto path = fmt::format("{}[{}]", key, i);
      const auto& r = node[i];
      check_keys(r, path, {"principal", "things", "operations"});
      security::policy_rule rule;
      if (!r["principal"])
        fail(r, path, "has no \"principal\" (uid, user, gid, group, cidr, key or \"*\")");
      rule.who = who(r["principal"], fmt::format("{}.principal", path));
      auto things = r["things"];
      if (!things || !things.IsSequence() || things.size() == 0)
        fail(things ? things : r, fmt::format("{}.things", path),
             "must be a non-empty list of Thing ids or globs (\"*\", \"motor-*\")");
      for (std::size_t j = 0; j < things.size(); ++j)
        rule.things.push_back(string(things[j], fmt::format("{}.things[{}]", path, j)));
      auto ops = r["operations"];
      if (!ops || !ops.IsSequence() || ops.size() == 0)
        fail(ops ? ops : r, fmt::format("{}.operations", path),
             "must be a non-empty list of read, write, invoke, subscribe, introspect (or \"*\")");
      for (std::size_t j = 0; j < ops.size(); ++j) {
        auto item = fmt::format("{}.operations[{}]", path, j);
        auto name = string(ops[j], item);
        if (name == "*") {
          rule.operations = security::all_operations;
          continue;
        }
        auto op = security::parse_operation(name);
        if (!op)
          fail(ops[j], item,
               fmt::format("unknown operation \"{}\" (read, write, invoke, subscribe, "
                           "introspect or \"*\")",
                           name));
        rule.operations = static_cast<operation_set>(rule.operations
                                                     | static_cast<operation_set>(*op));
      }
      p.rules.push_back(std::move(rule));
    }
    return p;
  }

};

} // namespace

security_config read_security(const YAML::Node& node, std::string_view file,
                              config_source& source) {
  section_reader in{file};
  in.observe_keys(source.recorder());
  security_config s;
  s.enabled = true;
  if (node.IsNull())
    return s;
  in.check_keys(node, "security", {"ipc", "tcp", "curve", "policy"});
  if (auto ipc = node["ipc"]) {
    in.check_keys(ipc, "security.ipc", {"mode", "group"});
    if (auto v = ipc["mode"])
      s.ipc_mode = in.file_mode(v, "security.ipc.mode");
    if (auto v = ipc["group"]) {
      s.ipc_group = in.string(v, "security.ipc.group");
      in.group_id(v, "security.ipc.group"); // must exist
    }
  }
  if (auto tcp = node["tcp"]) {
    in.check_keys(tcp, "security.tcp", {"allow", "deny"});
    if (auto v = tcp["allow"])
      s.tcp_allow = in.ranges(v, "security.tcp.allow");
    if (auto v = tcp["deny"])
      s.tcp_deny = in.ranges(v, "security.tcp.deny");
  }
  if (auto curve = node["curve"]) {
    in.check_keys(curve, "security.curve", {"tcp", "event_tcp", "server_key", "client_keys"});
    for (auto key : {"tcp", "server_key", "client_keys"})
      if (!curve[key])
        in.fail(curve, fmt::format("security.curve.{}", key),
                "is required when security.curve is set");
    s.curve_tcp = in.string(curve["tcp"], "security.curve.tcp");
    if (s.curve_tcp.rfind("tcp://", 0) != 0 || s.curve_tcp.rfind(':') <= 6)
      in.fail(curve["tcp"], "security.curve.tcp",
              fmt::format("\"{}\" is not tcp://HOST:PORT", s.curve_tcp));
    if (auto v = curve["event_tcp"]) {
      s.curve_event_tcp = in.string(v, "security.curve.event_tcp");
      if (s.curve_event_tcp.rfind("tcp://", 0) != 0 || s.curve_event_tcp.rfind(':') <= 6)
        in.fail(v, "security.curve.event_tcp",
                fmt::format("\"{}\" is not tcp://HOST:PORT", s.curve_event_tcp));
      if (s.curve_event_tcp == s.curve_tcp && s.curve_tcp.substr(s.curve_tcp.rfind(':')) != ":0")
        in.fail(v, "security.curve.event_tcp", "must differ from security.curve.tcp");
    }
    s.curve_server_key = in.string(curve["server_key"], "security.curve.server_key");
    s.curve_client_keys = in.string(curve["client_keys"], "security.curve.client_keys");
  }
  if (auto p = node["policy"])
    s.policy = in.policy(p, "security.policy");
  return s;
}

limits_config read_limits(const YAML::Node& node, std::string_view file, config_source& source) {
  section_reader in{file};
  in.observe_keys(source.recorder());
  limits_config l;
  in.check_keys(node, "limits",
                {"max_message_size", "max_in_flight_per_client", "send_queue",
                 "max_requests_per_second_per_client", "request_burst_per_client"});
  if (auto v = node["max_message_size"])
    l.max_message_size = in.unsigned_int(v, "limits.max_message_size", 1024, 1ull << 32);
  if (auto v = node["max_in_flight_per_client"])
    l.max_in_flight_per_client
      = static_cast<std::uint32_t>(in.unsigned_int(v, "limits.max_in_flight_per_client", 1, 1'000'000));
  if (auto v = node["send_queue"])
    l.send_queue = static_cast<std::uint32_t>(in.unsigned_int(v, "limits.send_queue", 1, 1'000'000));
  if (auto v = node["max_requests_per_second_per_client"])
    l.max_requests_per_second_per_client = static_cast<std::uint32_t>(
      in.unsigned_int(v, "limits.max_requests_per_second_per_client", 1, 1'000'000));
  if (auto v = node["request_burst_per_client"]) {
    l.request_burst_per_client = static_cast<std::uint32_t>(
      in.unsigned_int(v, "limits.request_burst_per_client", 1, 1'000'000));
    if (l.max_requests_per_second_per_client == 0)
      in.fail(v, "limits.request_burst_per_client",
              "needs limits.max_requests_per_second_per_client (a burst of no rate limits "
              "nothing)");
  }
  return l;
}

} // namespace holobroker::config::detail
