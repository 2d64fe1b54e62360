// The daemon's configuration: what a valid file means, and that every
// mistake is refused with file:line:column and the key.
#define CAF_SUITE daemon.config
#include <caf/test/unit_test.hpp>

#include <string>

#include "holobroker/config/broker_config.hpp"
#include "holobroker/wire/address.hpp"

using namespace holobroker::config;

namespace {

config_error error_of(std::string_view yaml) {
  auto result = parse_config(yaml, "test.yaml");
  CAF_REQUIRE(!result.has_value());
  return result.error();
}

} // namespace

CAF_TEST(a minimal fleet gets hololinked defaults) {
  auto cfg = parse_config(R"(
things:
  - id: spectrometer
    server_id: thing-sim
)");
  CAF_REQUIRE(cfg.has_value());
  CAF_CHECK_EQUAL(cfg->id, "holobroker");
  CAF_CHECK(cfg->frontend_ipc);
  CAF_REQUIRE_EQUAL(cfg->things.size(), 1u);
  const auto& t = cfg->things[0];
  CAF_CHECK_EQUAL(t.thing_id, "spectrometer");
  CAF_CHECK_EQUAL(t.server_id, "thing-sim");
  CAF_CHECK_EQUAL(t.address, "IPC");
  CAF_CHECK_EQUAL(t.client_id, "holobroker|holobroker|thing-sim"); // one per server
  CAF_CHECK_EQUAL(t.handshake_timeout.count(), 60.0);
  CAF_CHECK_EQUAL(t.effective_deadline().count(), 11.0);
}

CAF_TEST(defaults apply to every thing and each thing may override them) {
  auto cfg = parse_config(R"(
broker:
  id: lab-broker
defaults:
  invokation_timeout: 2s
  execution_timeout: 500ms
  max_in_flight: 8
  while_disconnected: fail_fast
things:
  - id: a
  - id: b
    execution_timeout: 3
    deadline: 1m
    on_disconnect: retry_idempotent
    events: [measurement, position_change_event]
)");
  CAF_REQUIRE(cfg.has_value());
  const auto& a = cfg->things[0];
  const auto& b = cfg->things[1];
  CAF_CHECK_EQUAL(a.server_id, "a");
  CAF_CHECK_EQUAL(a.client_id, "holobroker|lab-broker|a");
  CAF_CHECK_EQUAL(a.invokation_timeout.count(), 2.0);
  CAF_CHECK_EQUAL(a.execution_timeout.count(), 0.5);
  CAF_CHECK_EQUAL(a.max_in_flight, 8u);
  CAF_CHECK(a.while_disconnected == while_disconnected_policy::fail_fast);
  CAF_CHECK_EQUAL(b.execution_timeout.count(), 3.0);
  CAF_CHECK_EQUAL(b.effective_deadline().count(), 60.0);
  CAF_CHECK(b.on_disconnect == on_disconnect_policy::retry_idempotent);
  CAF_CHECK_EQUAL(b.events.size(), 2u);
  CAF_CHECK(cfg->find_thing("b") == &b);
  CAF_CHECK(cfg->find_thing("c") == nullptr);
}

CAF_TEST(an unknown key is refused with its position) {
  auto err = error_of("things:\n  - id: a\n    adress: tcp://127.0.0.1:5000\n");
  CAF_CHECK_EQUAL(err.file, "test.yaml");
  CAF_CHECK_EQUAL(err.line, 3);
  CAF_CHECK_EQUAL(err.column, 5);
  CAF_CHECK_EQUAL(err.key, "things[0].adress");
  CAF_CHECK(err.message.find("unknown key") != std::string::npos);
  CAF_CHECK(err.to_string().rfind("test.yaml:3:5: things[0].adress: unknown key", 0) == 0);
}

CAF_TEST(a bad address names the key and the value) {
  auto err = error_of("things:\n  - id: a\n    address: http://x\n");
  CAF_CHECK_EQUAL(err.key, "things[0].address");
  CAF_CHECK_EQUAL(err.line, 3);
  CAF_CHECK(err.message.find("http://x") != std::string::npos);
  CAF_CHECK(!error_of("things:\n  - id: a\n    address: tcp://host:99999\n").message.empty());
}

CAF_TEST(a thing address is accepted exactly when the transport can resolve it) {
  // One grammar: whatever the transport connects to, the config takes
  // (INPROC and lower-case ipc included), and the other way round.
  for (std::string spec : {"IPC", "ipc", "INPROC", "inproc", "ipc:///tmp/x.ipc", "ipc://rel",
                           "tcp://127.0.0.1:61000", "tcp://lab-pc:1", "tcp://[::1]:5555",
                           "inproc://sim", "ipc://", "inproc://", "tcp://127.0.0.1:0",
                           "tcp://:5555", "tcp://host", "tcp://host:65535", "tcp://host:99999", "http://x", "",
                           "Ipc"}) {
    auto cfg = parse_config("things:\n  - id: a\n    address: \"" + spec + "\"\n");
    auto ep = holobroker::wire::resolve_endpoints(spec, "a");
    CAF_MESSAGE(spec);
    CAF_CHECK_EQUAL(cfg.has_value(), ep.has_value());
  }
}

CAF_TEST(an inproc thing address is kept as written) {
  auto cfg = parse_config("things:\n  - id: a\n    address: INPROC\n");
  CAF_REQUIRE(cfg.has_value());
  CAF_CHECK_EQUAL(cfg->things[0].address, "INPROC");
}

CAF_TEST(a bad address says what the grammar expects) {
  auto err = error_of("things:\n  - id: a\n    address: ipc://\n");
  CAF_CHECK_EQUAL(err.key, "things[0].address");
  CAF_CHECK(err.message.find("no path after ipc://") != std::string::npos);
}

CAF_TEST(a tcp listener may ask for any free port but needs a host) {
  auto ok = parse_config("broker:\n  frontend:\n    tcp: tcp://127.0.0.1:0\n");
  CAF_CHECK(ok.has_value());
  auto err = error_of("broker:\n  frontend:\n    tcp: tcp://:5555\n");
  CAF_CHECK_EQUAL(err.key, "broker.frontend.tcp");
}

CAF_TEST(duplicate thing ids are refused) {
  auto err = error_of("things:\n  - id: a\n  - id: a\n");
  CAF_CHECK_EQUAL(err.key, "things[1].id");
  CAF_CHECK(err.message.find("twice") != std::string::npos);
}

CAF_TEST(wrong value types are refused) {
  CAF_CHECK_EQUAL(error_of("defaults:\n  max_in_flight: lots\n").key, "defaults.max_in_flight");
  CAF_CHECK_EQUAL(error_of("defaults:\n  max_in_flight: 0\n").key, "defaults.max_in_flight");
  CAF_CHECK_EQUAL(error_of("defaults:\n  execution_timeout: -1\n").key,
                  "defaults.execution_timeout");
  CAF_CHECK_EQUAL(error_of("broker:\n  frontend:\n    ipc: maybe\n").key, "broker.frontend.ipc");
  CAF_CHECK_EQUAL(error_of("broker:\n  logging:\n    level: loud\n").key, "broker.logging.level");
  CAF_CHECK_EQUAL(error_of("things: {a: 1}\n").key, "things");
  CAF_CHECK_EQUAL(error_of("things:\n  - server_id: x\n").key, "things[0]");
  CAF_CHECK_EQUAL(error_of("things:\n  - id: a\n    on_disconnect: retry\n").key,
                  "things[0].on_disconnect");
}

CAF_TEST(broken YAML is refused with the parser position) {
  auto err = error_of("things:\n  - id: [unclosed\n");
  CAF_CHECK(err.message.find("invalid YAML") != std::string::npos);
  CAF_CHECK_GREATER(err.line, 0);
  CAF_CHECK(!error_of("").message.empty());
}

CAF_TEST(a missing file is refused naming it) {
  auto result = load_config("/nonexistent/holobroker.yaml");
  CAF_REQUIRE(!result.has_value());
  CAF_CHECK_EQUAL(result.error().file, "/nonexistent/holobroker.yaml");
}

CAF_TEST(durations accept seconds and units) {
  CAF_CHECK_EQUAL(parse_duration("2.5")->count(), 2.5);
  CAF_CHECK_EQUAL(parse_duration("250ms")->count(), 0.25);
  CAF_CHECK_EQUAL(parse_duration("5s")->count(), 5.0);
  CAF_CHECK_EQUAL(parse_duration("2m")->count(), 120.0);
  CAF_CHECK(!parse_duration("").has_value());
  CAF_CHECK(!parse_duration("ms").has_value());
  CAF_CHECK(!parse_duration("-1s").has_value());
  CAF_CHECK(!parse_duration("5 minutes").has_value());
}

CAF_TEST(the bundled configuration files are valid) {
  for (auto name : {"/config/holobroker.example.yaml", "/config/demo.yaml",
                    "/docker/holobroker.docker.yaml"}) {
    auto path = std::string{HOLOBROKER_SOURCE_DIR} + name;
    auto cfg = load_config(path);
    if (!cfg)
      CAF_FAIL(cfg.error().to_string());
    CAF_CHECK(!cfg->things.empty());
  }
}

CAF_TEST(the operators HTTP endpoint is off unless configured and on loopback by default) {
  auto off = parse_config("things: []\n");
  CAF_REQUIRE(off.has_value());
  CAF_CHECK(!off->http.enabled);
  auto port_only = parse_config("broker:\n  http:\n    listen: 9464\n");
  CAF_REQUIRE(port_only.has_value());
  CAF_CHECK(port_only->http.enabled);
  CAF_CHECK_EQUAL(port_only->http.host, "127.0.0.1");
  CAF_CHECK_EQUAL(port_only->http.port, 9464);
  auto any = parse_config("broker:\n  http: {listen: \"0.0.0.0:0\"}\n");
  CAF_REQUIRE(any.has_value());
  CAF_CHECK_EQUAL(any->http.host, "0.0.0.0");
  CAF_CHECK_EQUAL(any->http.port, 0);
  auto v6 = parse_config("broker:\n  http: {listen: \"[::1]:8080\"}\n");
  CAF_REQUIRE(v6.has_value());
  CAF_CHECK_EQUAL(v6->http.host, "::1");
}

CAF_TEST(a bad HTTP listen address is refused with its position) {
  auto err = error_of("broker:\n  http:\n    listen: 127.0.0.1:http\n");
  CAF_CHECK_EQUAL(err.key, "broker.http.listen");
  CAF_CHECK_EQUAL(err.line, 3);
  CAF_CHECK_EQUAL(err.column, 13);
  CAF_CHECK(err.message.find("PORT") != std::string::npos);
  CAF_CHECK_EQUAL(error_of("broker:\n  http:\n    listen: 70000\n").key, "broker.http.listen");
  CAF_CHECK_EQUAL(error_of("broker:\n  http:\n    listen: \":80\"\n").key, "broker.http.listen");
  CAF_CHECK_EQUAL(error_of("broker:\n  http: {}\n").key, "broker.http.listen");
  CAF_CHECK_EQUAL(error_of("broker:\n  http:\n    port: 80\n").key, "broker.http.port");
}

CAF_TEST(last_value is off by default and set per Thing or by the defaults) {
  auto cfg = parse_config(R"(
defaults:
  last_value: true
things:
  - id: a
  - id: b
    last_value: false
  - id: c
    last_value: [measurement, position_change_event]
  - id: d
    server_id: x
)");
  CAF_REQUIRE(cfg.has_value());
  CAF_REQUIRE_EQUAL(cfg->things.size(), 4u);
  CAF_CHECK(cfg->things[0].last_value_all);
  CAF_CHECK(!cfg->things[1].last_value_all);
  CAF_CHECK(cfg->things[1].last_value_events.empty());
  CAF_CHECK(!cfg->things[2].last_value_all);
  CAF_CHECK_EQUAL(cfg->things[2].last_value_events,
                  (std::vector<std::string>{"measurement", "position_change_event"}));
  CAF_CHECK(cfg->things[3].last_value_all);
  auto plain = parse_config("things:\n  - id: a\n");
  CAF_REQUIRE(plain.has_value());
  CAF_CHECK(!plain->things[0].last_value_all);
  CAF_CHECK(plain->things[0].last_value_events.empty());
}

CAF_TEST(a bad last_value is refused with its position) {
  auto err = error_of("things:\n  - id: a\n    last_value: sometimes\n");
  CAF_CHECK_EQUAL(err.key, "things[0].last_value");
  CAF_CHECK_EQUAL(err.line, 3);
  CAF_CHECK_EQUAL(err.column, 17);
  CAF_CHECK(err.to_string().find("must be true, false or a list of event names")
            != std::string::npos);
  auto item = error_of("things:\n  - id: a\n    last_value: [ok, {x: 1}]\n");
  CAF_CHECK_EQUAL(item.key, "things[0].last_value[1]");
  CAF_CHECK_EQUAL(item.line, 3);
  CAF_CHECK_EQUAL(error_of("defaults:\n  last_value: {a: 1}\n").key, "defaults.last_value");
}

CAF_TEST(federation needs tls or an explicit plain and listens on loopback by default) {
  auto plain = parse_config("broker:\n  federation:\n    plain: true\n"
                            "  peers:\n    - 10.0.0.2:4300\n    - {host: lab-c, port: 4301}\n");
  CAF_REQUIRE(plain.has_value());
  CAF_CHECK(plain->federation.enabled);
  CAF_CHECK(!plain->federation.tls());
  CAF_CHECK_EQUAL(plain->federation.host, "127.0.0.1");
  CAF_CHECK_EQUAL(plain->federation.port, 0);
  CAF_REQUIRE_EQUAL(plain->federation.peers.size(), 2u);
  CAF_CHECK_EQUAL(plain->federation.peers[0].address(), "10.0.0.2:4300");
  CAF_CHECK_EQUAL(plain->federation.peers[1].address(), "lab-c:4301");
  CAF_CHECK(!parse_config("things: []\n")->federation.enabled);
  // Deny by default: neither tls nor plain.
  auto neither = error_of("broker:\n  federation:\n    listen: 4300\n");
  CAF_CHECK_EQUAL(neither.key, "broker.federation");
  CAF_CHECK(neither.message.find("tls") != std::string::npos);
  CAF_CHECK_EQUAL(neither.line, 3);
  // Certificates must be readable at start.
  auto missing = error_of("broker:\n  federation:\n    tls: {certificate: /nonexistent.crt, "
                          "key: /nonexistent.key, ca: /nonexistent.ca}\n");
  CAF_CHECK_EQUAL(missing.key, "broker.federation.tls.certificate");
  CAF_CHECK(missing.message.find("/nonexistent.crt") != std::string::npos);
  auto no_ca = error_of("broker:\n  federation:\n    tls: {certificate: a, key: b}\n");
  CAF_CHECK_EQUAL(no_ca.key, "broker.federation.tls.ca");
  // Peers without federation, a peer without a port, a peer listed twice.
  auto alone = error_of("broker:\n  peers: [10.0.0.2:4300]\n");
  CAF_CHECK_EQUAL(alone.key, "broker.peers");
  auto no_port = error_of("broker:\n  federation: {plain: true}\n  peers: [lab-b]\n");
  CAF_CHECK_EQUAL(no_port.key, "broker.peers[0]");
  auto twice = error_of("broker:\n  federation: {plain: true}\n  peers: [b:1, b:1]\n");
  CAF_CHECK(twice.message.find("twice") != std::string::npos);
}

CAF_TEST(Things sharing a server connection must agree on its settings) {
  auto cfg = parse_config(R"(
things:
  - id: a
    server_id: sim
  - id: b
    server_id: sim
    while_disconnected: fail_fast
)",
                          "lab.yaml");
  CAF_REQUIRE(!cfg.has_value());
  CAF_CHECK_EQUAL(cfg.error().file, "lab.yaml");
  CAF_CHECK_EQUAL(cfg.error().line, 7);
  CAF_CHECK_EQUAL(cfg.error().key, "things[1].while_disconnected");
  CAF_CHECK(cfg.error().message.find("Thing \"a\"") != std::string::npos);
  // With a client id of its own, b gets its own connection.
  auto own = parse_config(R"(
things:
  - id: a
    server_id: sim
  - id: b
    server_id: sim
    client_id: lab-b
    while_disconnected: fail_fast
)");
  CAF_CHECK(own.has_value());
}

CAF_TEST(an IPC address and the path it stands for are one shared connection) {
  // Both name ipc:///run/lab/sockets/sim.ipc (broker.temp_dir /run/lab):
  // the fleet would share one connection, so the check must see it too.
  auto cfg = parse_config(R"(
broker:
  temp_dir: /run/lab
things:
  - id: a
    server_id: sim
  - id: b
    server_id: sim
    address: ipc:///run/lab/sockets/sim.ipc
    handshake_timeout: 5s
)",
                          "lab.yaml");
  CAF_REQUIRE(!cfg.has_value());
  CAF_CHECK_EQUAL(cfg.error().key, "things[1].handshake_timeout");
  CAF_CHECK_EQUAL(cfg.error().line, 10);
  // Another path is another connection.
  auto other = parse_config(R"(
broker:
  temp_dir: /run/lab
things:
  - id: a
    server_id: sim
  - id: b
    server_id: sim
    address: ipc:///run/other/sim.ipc
    handshake_timeout: 5s
)");
  CAF_CHECK(other.has_value());
}
