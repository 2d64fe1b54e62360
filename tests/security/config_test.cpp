// The `security` and `limits` sections: what a valid file means, and that
// every mistake is refused with file:line:column and the key.
#define CAF_SUITE security.config
#include <caf/test/unit_test.hpp>

#include "holobroker/config/broker_config.hpp"

using namespace holobroker::config;
using namespace holobroker::security;

namespace {

std::string error_of(std::string_view yaml) {
  auto result = parse_config(yaml, "test.yaml");
  CAF_REQUIRE(!result.has_value());
  return result.error().to_string();
}

} // namespace

CAF_TEST(without a security section there is no policy and the limits have defaults) {
  auto cfg = parse_config("things: []\n");
  CAF_REQUIRE(cfg.has_value());
  CAF_CHECK(!cfg->security.enabled);
  CAF_CHECK(!cfg->security.policy.has_value());
  CAF_CHECK_EQUAL(cfg->security.ipc_mode, 0660u);
  CAF_CHECK_EQUAL(cfg->limits.max_message_size, 64ull << 20);
  CAF_CHECK_EQUAL(cfg->limits.max_in_flight_per_client, 128u);
}

CAF_TEST(a full security section is read into ranges keys and rules) {
  auto cfg = parse_config(R"(
security:
  ipc: {mode: "0600", group: root}
  tcp:
    allow: [127.0.0.0/8, "::1"]
    deny: [127.0.0.2]
  curve:
    tcp: tcp://127.0.0.1:5557
    event_tcp: tcp://127.0.0.1:5567
    server_key: /etc/holobroker/curve/server.key
    client_keys: /etc/holobroker/curve/clients
  policy:
    - principal: {user: root}
      things: ["*"]
      operations: ["*"]
    - principal: {cidr: 127.0.0.0/8}
      things: [spectrometer, "motor-*"]
      operations: [read, subscribe]
    - principal: {key: alice}
      things: ["*"]
      operations: [read, write]
    - principal: "*"
      things: [holobroker]
      operations: [introspect]
limits:
  max_message_size: 1048576
  max_in_flight_per_client: 8
  send_queue: 50
  max_requests_per_second_per_client: 200
  request_burst_per_client: 50
things: []
)");
  CAF_REQUIRE(cfg.has_value());
  const auto& s = cfg->security;
  CAF_CHECK(s.enabled);
  CAF_CHECK_EQUAL(s.ipc_mode, 0600u);
  CAF_CHECK_EQUAL(s.ipc_group, "root");
  CAF_REQUIRE_EQUAL(s.tcp_allow.size(), 2u);
  CAF_CHECK(s.tcp_allow[1].contains("::1"));
  CAF_REQUIRE_EQUAL(s.tcp_deny.size(), 1u);
  CAF_CHECK_EQUAL(s.curve_tcp, "tcp://127.0.0.1:5557");
  CAF_CHECK_EQUAL(s.curve_event_tcp, "tcp://127.0.0.1:5567");
  CAF_CHECK_EQUAL(s.curve_client_keys, "/etc/holobroker/curve/clients");
  CAF_REQUIRE(s.policy.has_value());
  const auto& rules = s.policy->rules;
  CAF_REQUIRE_EQUAL(rules.size(), 4u);
  CAF_CHECK(rules[0].who.what == principal_selector::kind::uid);
  CAF_CHECK_EQUAL(rules[0].who.id, 0u);
  CAF_CHECK_EQUAL(rules[0].operations, all_operations);
  CAF_CHECK(rules[1].who.what == principal_selector::kind::cidr);
  CAF_CHECK_EQUAL(rules[1].operations, static_cast<operation_set>(operation::read)
                                         | static_cast<operation_set>(operation::subscribe));
  CAF_CHECK_EQUAL(rules[2].who.key, "alice");
  CAF_CHECK(rules[3].who.what == principal_selector::kind::any);
  CAF_CHECK_EQUAL(cfg->limits.max_message_size, 1048576u);
  CAF_CHECK_EQUAL(cfg->limits.max_in_flight_per_client, 8u);
  CAF_CHECK_EQUAL(cfg->limits.send_queue, 50u);
  CAF_CHECK_EQUAL(cfg->limits.max_requests_per_second_per_client, 200u);
  CAF_CHECK_EQUAL(cfg->limits.request_burst_per_client, 50u);
}

CAF_TEST(no request rate limit is configured by default) {
  auto cfg = parse_config("things: []\n");
  CAF_REQUIRE(cfg.has_value());
  CAF_CHECK_EQUAL(cfg->limits.max_requests_per_second_per_client, 0u);
  CAF_CHECK_EQUAL(cfg->limits.request_burst_per_client, 0u);
}

CAF_TEST(an empty security section turns authentication on without a policy) {
  auto cfg = parse_config("security:\nthings: []\n");
  CAF_REQUIRE(cfg.has_value());
  CAF_CHECK(cfg->security.enabled);
  CAF_CHECK(!cfg->security.policy.has_value());
}

CAF_TEST(an empty policy list denies everything) {
  auto cfg = parse_config("security:\n  policy: []\nthings: []\n");
  CAF_REQUIRE(cfg.has_value());
  CAF_REQUIRE(cfg->security.policy.has_value());
  CAF_CHECK(cfg->security.policy->rules.empty());
}

CAF_TEST(security mistakes name file line column and key) {
  CAF_CHECK_EQUAL(error_of("security:\n  polcy: []\n"),
                  "test.yaml:2:3: security.polcy: unknown key (allowed: ipc, tcp, curve, policy)");
  CAF_CHECK_EQUAL(error_of("security:\n  tcp:\n    allow: [10.0.0.0/40]\n"),
                  "test.yaml:3:13: security.tcp.allow[0]: \"10.0.0.0/40\" is not an address "
                  "range (10.0.0.0/8, ::1/128)");
  CAF_CHECK_EQUAL(error_of("security:\n  ipc: {mode: \"0999\"}\n"),
                  "test.yaml:2:15: security.ipc.mode: must be an octal file mode such as "
                  "\"0660\"");
  CAF_CHECK_EQUAL(error_of(R"(security:
  policy:
    - principal: {uid: 1}
      things: ["*"]
      operations: [read, delete]
)"),
                  "test.yaml:5:26: security.policy[0].operations[1]: unknown operation "
                  "\"delete\" (read, write, invoke, subscribe, introspect or \"*\")");
  CAF_CHECK_EQUAL(error_of(R"(security:
  policy:
    - principal: {uid: 1, gid: 2}
      things: ["*"]
      operations: [read]
)"),
                  "test.yaml:3:18: security.policy[0].principal: must name exactly one of uid, "
                  "user, gid, group, cidr, key (or be \"*\")");
  CAF_CHECK_EQUAL(error_of(R"(security:
  policy:
    - principal: {user: no-such-user-here}
      things: ["*"]
      operations: [read]
)"),
                  "test.yaml:3:25: security.policy[0].principal.user: no such user "
                  "\"no-such-user-here\" on this host");
  CAF_CHECK_EQUAL(error_of(R"(security:
  policy:
    - principal: {uid: 1}
      operations: [read]
)"),
                  "test.yaml:3:7: security.policy[0].things: must be a non-empty list of Thing "
                  "ids or globs (\"*\", \"motor-*\")");
  CAF_CHECK_EQUAL(error_of("security:\n  curve: {tcp: tcp://127.0.0.1:1}\n"),
                  "test.yaml:2:10: security.curve.server_key: is required when security.curve "
                  "is set");
  CAF_CHECK_EQUAL(error_of("security:\n  curve:\n    tcp: tcp://127.0.0.1:1\n"
                           "    event_tcp: udp://x\n    server_key: k\n    client_keys: c\n"),
                  "test.yaml:4:16: security.curve.event_tcp: \"udp://x\" is not tcp://HOST:PORT");
  CAF_CHECK_EQUAL(error_of("security:\n  curve:\n    tcp: tcp://127.0.0.1:1\n"
                           "    event_tcp: tcp://127.0.0.1:1\n    server_key: k\n"
                           "    client_keys: c\n"),
                  "test.yaml:4:16: security.curve.event_tcp: must differ from security.curve.tcp");
  CAF_CHECK_EQUAL(error_of("limits:\n  max_in_flight_per_client: 0\n"),
                  "test.yaml:2:29: limits.max_in_flight_per_client: must be a whole number from "
                  "1 to 1000000");
  CAF_CHECK_EQUAL(error_of("limits:\n  request_burst_per_client: 10\n"),
                  "test.yaml:2:29: limits.request_burst_per_client: needs "
                  "limits.max_requests_per_second_per_client (a burst of no rate limits nothing)");
  CAF_CHECK_EQUAL(error_of("limits:\n  max_requests_per_second_per_client: 0\n"),
                  "test.yaml:2:39: limits.max_requests_per_second_per_client: must be a whole "
                  "number from 1 to 1000000");
}
