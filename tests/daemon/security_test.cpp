// holobrokerd with a `security` section in front of thing-sim: who cannot
// connect at all, what a read-only principal may do, the PermissionError a
// denied client gets, the audit lines, and the per-client bound. The tests
// run as one uid, so "another local user" is a policy that names another uid.
#define CAF_SUITE daemon_security
#include <caf/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"
#include "support/command_run.hpp"
#include "support/replies.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/zmq/multipart_io.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct security_fixture : fleet_fixture {
  std::string log_file;

  /// Starts thing-sim and the daemon with `security` (a YAML block at the
  /// root, indented by the caller) and the daemon's stderr in a file.
  void start(const std::string& security, const std::string& broker_extra = "") {
    start_sim();
    log_file = sim->ipc_dir() + "/holobrokerd.log";
    write_file(config_file, config(sim_thing("spectrometer") + sim_thing("motor"), broker_extra)
                              + security);
    daemon = std::make_unique<daemon_process>(config_file, std::vector<std::string>{},
                                              std::vector<std::string>{}, log_file);
  }

  std::string log() const {
    std::ifstream in{log_file};
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }

  /// Waits (bounded) until the daemon's log has a line containing all `parts`.
  bool logged(const std::vector<std::string>& parts) const {
    for (int i = 0; i < 200; ++i) {
      std::istringstream lines{log()};
      std::string line;
      while (std::getline(lines, line)) {
        bool all = true;
        for (const auto& p : parts)
          all = all && line.find(p) != std::string::npos;
        if (all)
          return true;
      }
      std::this_thread::sleep_for(25ms);
    }
    return false;
  }

  /// A raw client whose handshake may fail (a refused connection is silent).
  std::unique_ptr<raw_client> try_client(const std::string& identity, const std::string& scheme,
                                         bool& connected) {
    auto c = std::make_unique<raw_client>(ctx, identity, daemon->frontend(scheme));
    connected = c->handshake("holobroker", 1500ms);
    return c;
  }

  static std::string uid_rule(const std::string& ops, const std::string& things = "[\"*\"]") {
    return "    - principal: {uid: " + std::to_string(::getuid()) + "}\n      things: " + things
           + "\n      operations: " + ops + "\n";
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(daemon_security_tests, security_fixture)

CAF_TEST(a TCP client outside the allowed ranges cannot reach any Thing and is logged) {
  start("security:\n  tcp:\n    allow: [10.0.0.0/8]\n", "  frontend: {ipc: true, tcp: tcp://127.0.0.1:0}\n");
  bool connected = true;
  auto c = try_client("outsider", "tcp", connected);
  CAF_CHECK(!connected);
  auto r = c->call("holobroker", op(*c, "spectrometer", "integration_time", "readproperty"), 500ms);
  CAF_CHECK(!r.has_value());
  CAF_CHECK(logged({"ZAP: refused", "from 127.0.0.1", "security.tcp.allow"}));
  CAF_CHECK(logged({"audit:", "operation=connect", "outcome=refused"}));
  // Without a policy, local IPC clients are unaffected by the TCP ranges.
  auto local = client("insider", "ipc");
  auto ok = local->call("holobroker", op(*local, "spectrometer", "integration_time", "readproperty"));
  CAF_REQUIRE(ok.has_value());
  CAF_CHECK(ok->header.type == wire::message_type::reply);
}

CAF_TEST(a local uid not in the policy cannot reach any Thing) {
  start("security:\n  policy:\n    - principal: {uid: " + std::to_string(::getuid() + 4242)
        + "}\n      things: [\"*\"]\n      operations: [\"*\"]\n");
  bool connected = true;
  auto c = try_client("stranger", "ipc", connected);
  CAF_CHECK(!connected);
  CAF_CHECK(logged({"ZAP: refused", "uid " + std::to_string(::getuid()),
                    "no security.policy rule is about this principal"}));
}

CAF_TEST(a read-only principal can read and subscribe but not write or invoke) {
  start("security:\n  policy:\n" + uid_rule("[read, subscribe, introspect]"));
  auto c = client("reader", "ipc");
  auto read = c->call("holobroker", op(*c, "spectrometer", "integration_time", "readproperty"));
  CAF_REQUIRE(read.has_value());
  CAF_CHECK(read->header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(json::parse(read->payload.view()), json(10.0));

  auto write_req = op(*c, "spectrometer", "integration_time", "writeproperty", "25");
  auto write = c->call("holobroker", write_req);
  CAF_REQUIRE(write.has_value());
  auto ex = exception_of(*write);
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->type, "PermissionError");
  auto who = "uid " + std::to_string(::getuid());
  CAF_CHECK(ex->message.find(who) != std::string::npos);
  CAF_CHECK(ex->message.find("may not write Thing 'spectrometer'") != std::string::npos);
  CAF_CHECK(logged({"audit:", "operation=write", "objekt=integration_time",
                    "message_id=" + write_req.header.message_id, "outcome=denied"}));

  auto invoke = c->call("holobroker", op(*c, "spectrometer", "acquire", "invokeaction", "{}"));
  CAF_REQUIRE(invoke.has_value());
  auto iex = exception_of(*invoke);
  CAF_REQUIRE(iex.has_value());
  CAF_CHECK_EQUAL(iex->type, "PermissionError");
  CAF_CHECK(iex->message.find("may not invoke") != std::string::npos);

  // The denied write never reached the Thing.
  auto again = c->call("holobroker", op(*c, "spectrometer", "integration_time", "readproperty"));
  CAF_REQUIRE(again.has_value());
  CAF_CHECK_EQUAL(json::parse(again->payload.view()), json(10.0));

  // Subscribing works: the event publisher admitted the principal.
  zmq::socket_t sub{ctx, zmq::socket_type::sub};
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, "spectrometer/measurement");
  sub.connect(daemon->events("ipc"));
  zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
  CAF_REQUIRE(zmq::poll(&item, 1, 10s) == 1);
  auto event = zmqio::recv_multipart(sub);
  CAF_REQUIRE(event.has_value());
  CAF_CHECK_EQUAL((*event)[0].view(), "spectrometer/measurement");
}

CAF_TEST(a principal without subscribe on every Thing cannot open the event publisher) {
  start("security:\n  policy:\n" + uid_rule("[read, subscribe]", "[spectrometer]"));
  zmq::socket_t sub{ctx, zmq::socket_type::sub};
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, "spectrometer/measurement");
  sub.connect(daemon->events("ipc"));
  CAF_CHECK(logged({"ZAP: refused", "holobroker.events", "may not subscribe to Thing \"motor\""}));
}

CAF_TEST(allowed writes and invokes are audited with their outcome) {
  start("security:\n  policy:\n" + uid_rule("[\"*\"]"));
  auto c = client("writer", "ipc");
  auto w = op(*c, "spectrometer", "integration_time", "writeproperty", "12");
  auto r = c->call("holobroker", w);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->header.type == wire::message_type::reply);
  CAF_CHECK(logged({"audit:", "operation=write", "message_id=" + w.header.message_id,
                    "outcome=reply", "allowed by the policy"}));
  auto f = op(*c, "spectrometer", "fail", "invokeaction", "{}");
  auto fr = c->call("holobroker", f);
  CAF_REQUIRE(fr.has_value());
  CAF_CHECK(logged({"audit:", "operation=invoke", "objekt=fail",
                    "message_id=" + f.header.message_id, "outcome=exception"}));
  // Reads are not audited (only decided).
  CAF_CHECK(log().find("operation=read") == std::string::npos);
}

CAF_TEST(a client over its in flight bound gets BlockingIOError while another is served) {
  start("limits:\n  max_in_flight_per_client: 2\n");
  auto greedy = client("greedy", "ipc");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto req = op(*greedy, "spectrometer", "sleep", "invokeaction", "{\"seconds\": 0.5}");
    ids.push_back(req.header.message_id);
    greedy->send(wire::craft_request("holobroker", req));
  }
  auto third = greedy->await(ids[2], 5s);
  CAF_REQUIRE(third.has_value());
  auto ex = exception_of(*third);
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->type, "BlockingIOError");
  auto other = client("polite", "ipc");
  auto r = other->call("holobroker", op(*other, "motor", "position", "readproperty"), 5s);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->header.type == wire::message_type::reply);
  // The two admitted requests still end with exactly one reply each.
  CAF_CHECK(greedy->await(ids[0], 10s).has_value());
  CAF_CHECK(greedy->await(ids[1], 10s).has_value());
}

CAF_TEST(the CLI works over CURVE with an authorized key and an unknown key reaches nothing) {
  start_sim();
  auto keys = sim->ipc_dir() + "/keys";
  std::filesystem::create_directories(keys + "/clients");
  auto cli = [&](std::vector<std::string> args) {
    return run_command(HOLOBROKER_CLI_BINARY, args, sim->ipc_dir(), std::chrono::seconds{20});
  };
  for (auto name : {"server", "alice", "mallory"}) {
    auto r = cli({"keygen", name, "--dir", keys});
    CAF_REQUIRE_EQUAL(r.exit_code, 0);
    CAF_REQUIRE_EQUAL(r.out.size(), 2u);
  }
  std::filesystem::copy_file(keys + "/alice.pub", keys + "/clients/alice.pub");
  log_file = sim->ipc_dir() + "/holobrokerd.log";
  write_file(config_file,
             config(sim_thing("spectrometer") + sim_thing("motor"))
               + "security:\n  curve:\n    tcp: tcp://127.0.0.1:0\n    server_key: " + keys
               + "/server.key\n    client_keys: " + keys + "/clients\n  policy:\n"
               + "    - principal: {key: alice}\n      things: [\"*\"]\n"
               + "      operations: [read, introspect]\n");
  daemon = std::make_unique<daemon_process>(config_file, std::vector<std::string>{},
                                            std::vector<std::string>{}, log_file);
  std::string curve;
  for (const auto& line : daemon->process().lines())
    if (line.rfind("curve ", 0) == 0)
      curve = line.substr(6);
  CAF_REQUIRE(!curve.empty());
  auto as = [&](const std::string& who, std::vector<std::string> command) {
    std::vector<std::string> args{"--broker", curve, "--curve-server-key", keys + "/server.pub",
                                  "--curve-key", keys + "/" + who + ".key", "--timeout", "3"};
    args.insert(args.end(), command.begin(), command.end());
    return cli(args);
  };
  auto read = as("alice", {"read", "spectrometer", "integration_time"});
  CAF_CHECK_EQUAL(read.exit_code, 0);
  CAF_REQUIRE_EQUAL(read.out.size(), 1u);
  CAF_CHECK_EQUAL(json::parse(read.out[0]), json(10.0));
  auto write = as("alice", {"write", "spectrometer", "integration_time", "3"});
  CAF_CHECK_EQUAL(write.exit_code, 5);
  CAF_CHECK(write.err.find("PermissionError") != std::string::npos);
  CAF_CHECK(write.err.find("key alice may not write") != std::string::npos);
  auto stranger = as("mallory", {"read", "spectrometer", "integration_time"});
  CAF_CHECK(stranger.exit_code != 0);
  CAF_CHECK(stranger.out.empty());
  CAF_CHECK(logged({"ZAP: refused", "(CURVE)", "unknown CURVE key"}));
  // The plain front end without a policy rule for this uid: refused too.
  bool connected = true;
  auto c = try_client("plain", "ipc", connected);
  CAF_CHECK(!connected);
}

CAF_TEST(a real hololinked ObjectProxy denied by the policy gets a clear PermissionError) {
  // The real, unmodified hololinked 0.4 client (../shared/hololinked-0.4/peer).
  std::string peer = HOLOBROKER_PEER_DIR;
  if (!std::filesystem::exists(peer + "/install.sh")) {
    CAF_MESSAGE("skipped: no hololinked peer at " << peer);
    return;
  }
  start("security:\n  policy:\n    - principal: {cidr: 127.0.0.0/8}\n"
        "      things: [\"*\"]\n      operations: [read, introspect]\n",
        "  frontend: {ipc: true, tcp: tcp://127.0.0.1:0}\n");
  auto venv = std::string{HOLOBROKER_BINARY_DIR} + "/hololinked-venv";
  auto install = run_command(peer + "/install.sh", {venv}, sim->ipc_dir(),
                             std::chrono::seconds{300});
  CAF_REQUIRE_EQUAL(install.exit_code, 0);
  CAF_REQUIRE(!install.out.empty());
  auto python = install.out.back();
  auto home = sim->ipc_dir() + "/home";
  std::filesystem::create_directories(home);
  auto r = run_command("/usr/bin/env",
                       {"HOME=" + home, python, std::string{HOLOBROKER_SOURCE_DIR}
                                                  + "/tests/daemon/peer/denied_write.py",
                        daemon->frontend("tcp")},
                       sim->ipc_dir(), std::chrono::seconds{60});
  // hololinked logs to stdout too: keep the script's own lines.
  std::vector<std::string> steps;
  for (const auto& line : r.out)
    for (auto word : {"read ", "write ", "PermissionError ", "other "})
      if (line.rfind(word, 0) == 0)
        steps.push_back(line);
  for (const auto& line : steps)
    CAF_MESSAGE("peer: " << line);
  CAF_REQUIRE_EQUAL(steps.size(), 2u);
  CAF_CHECK_EQUAL(steps[0], "read 10.0");
  CAF_CHECK_EQUAL(steps[1], "PermissionError holobroker: tcp 127.0.0.1 may not write Thing "
                            "'spectrometer' (no policy rule allows write on this Thing)");
  CAF_CHECK(logged({"audit:", "principal=\"tcp 127.0.0.1\"", "operation=write",
                    "outcome=denied"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
