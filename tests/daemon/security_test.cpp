// holobrokerd with a `security` section in front of thing-sim: who cannot
// connect at all, what a read-only principal may do, the PermissionError a
// denied client gets, the audit lines, and the per-client bound. The tests
// run as one uid, so "another local user" is a policy that names another uid.
#define CAF_SUITE daemon_security
#include <caf/test/unit_test.hpp>

#include <csignal>

#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"
#include "support/command_run.hpp"
#include "support/replies.hpp"
#include "holobroker/broker/listener.hpp"
#include "holobroker/broker/zmq_listener.hpp"
#include "holobroker/security/curve_keys.hpp"
#include "holobroker/transport/reactor.hpp"
#include "holobroker/wire/event.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/zmq/multipart_io.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// A SUB socket, with CURVE when given the server's public key and a key pair.
std::unique_ptr<zmq::socket_t> sub_socket(zmq::context_t& ctx, const std::string& address,
                                          const std::string& topic,
                                          const security::curve_keypair* server = nullptr,
                                          const security::curve_keypair* mine = nullptr) {
  auto s = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::sub);
  s->set(zmq::sockopt::linger, 0);
  if (server) {
    s->set(zmq::sockopt::curve_serverkey, server->public_key);
    s->set(zmq::sockopt::curve_publickey, mine->public_key);
    s->set(zmq::sockopt::curve_secretkey, mine->secret_key);
  }
  s->set(zmq::sockopt::subscribe, topic);
  s->connect(address);
  return s;
}

/// The next message on `s` within `timeout`.
std::optional<wire::multipart> next_message(zmq::socket_t& s, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) != 1)
    return std::nullopt;
  return zmqio::recv_multipart(s);
}

security::curve_keypair new_keypair() {
  auto k = security::generate_keypair();
  CAF_REQUIRE(k.has_value());
  return *k;
}

/// A free TCP port P on 127.0.0.1 whose P + 1 is free too (the CLI finds the
/// events at the port above the front end's, as hololinked does).
unsigned free_port_pair() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int a = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(a, reinterpret_cast<sockaddr*>(&addr), len) != 0
        || ::getsockname(a, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(a);
      continue;
    }
    unsigned port = ntohs(addr.sin_port);
    int b = ::socket(AF_INET, SOCK_STREAM, 0);
    addr.sin_port = htons(static_cast<std::uint16_t>(port + 1));
    bool ok = port < 65535 && ::bind(b, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(a);
    ::close(b);
    if (ok)
      return port;
  }
  CAF_FAIL("no free pair of TCP ports");
  return 0;
}

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

  /// Whether a line with all `parts` is in the log already (no waiting).
  bool logged_now(const std::vector<std::string>& parts) const {
    std::istringstream lines{log()};
    std::string line;
    while (std::getline(lines, line)) {
      bool all = true;
      for (const auto& p : parts)
        all = all && line.find(p) != std::string::npos;
      if (all)
        return true;
    }
    return false;
  }

  /// Waits (bounded) until the daemon's log has a line containing all `parts`.
  bool logged(const std::vector<std::string>& parts) const {
    for (int i = 0; i < 200; ++i) {
      if (logged_now(parts))
        return true;
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

  /// CURVE keys in `keys`: the server's pair, and client pairs whose public
  /// keys are in keys/clients when authorized.
  std::string keys;
  security::curve_keypair server_keys;

  security::curve_keypair add_key(const std::string& name, bool authorized) {
    auto k = new_keypair();
    CAF_REQUIRE(security::write_key_files(keys, name, k).has_value());
    if (authorized)
      std::filesystem::copy_file(keys + "/" + name + ".pub", keys + "/clients/" + name + ".pub");
    return k;
  }

  /// thing-sim and the daemon with a CURVE front end at `curve_tcp` (and
  /// `curve_extra` lines under security.curve) and `policy` rules.
  void start_curve(const std::string& curve_tcp, const std::string& policy,
                   const std::string& curve_extra = "") {
    start_sim();
    keys = sim->ipc_dir() + "/keys";
    std::filesystem::create_directories(keys + "/clients");
    server_keys = new_keypair();
    CAF_REQUIRE(security::write_key_files(keys, "server", server_keys).has_value());
    log_file = sim->ipc_dir() + "/holobrokerd.log";
    write_file(config_file, config(sim_thing("spectrometer") + sim_thing("motor"))
                              + "security:\n  curve:\n    tcp: " + curve_tcp
                              + "\n    server_key: " + keys + "/server.key\n    client_keys: "
                              + keys + "/clients\n" + curve_extra + "  policy:\n" + policy);
  }

  void run_daemon() {
    daemon = std::make_unique<daemon_process>(config_file, std::vector<std::string>{},
                                              std::vector<std::string>{}, log_file);
  }

  /// What holobrokerd printed after `word ` (e.g. "curve-events").
  std::string announced(const std::string& word) const {
    for (const auto& line : daemon->process().lines())
      if (line.rfind(word + " ", 0) == 0)
        return line.substr(word.size() + 1);
    return {};
  }

  /// Runs tests/daemon/peer/`script` with the real, unmodified hololinked
  /// 0.4 (../shared/hololinked-0.4/peer) against the daemon's TCP front end,
  /// with a HOME of its own; answers the lines of its stdout that start with
  /// one of `steps` (hololinked logs to stdout too), in order. nullopt: no
  /// peer here, the test is skipped.
  std::optional<std::vector<std::string>> run_peer_script(const std::string& script,
                                                          std::vector<std::string> steps) {
    std::string peer = HOLOBROKER_PEER_DIR;
    if (!std::filesystem::exists(peer + "/install.sh")) {
      CAF_MESSAGE("skipped: no hololinked peer at " << peer);
      return std::nullopt;
    }
    auto venv = std::string{HOLOBROKER_BINARY_DIR} + "/hololinked-venv";
    auto install = run_command(peer + "/install.sh", {venv}, sim->ipc_dir(),
                               std::chrono::seconds{300});
    CAF_REQUIRE_EQUAL(install.exit_code, 0);
    CAF_REQUIRE(!install.out.empty());
    auto python = install.out.back();
    auto home = sim->ipc_dir() + "/home";
    std::filesystem::create_directories(home);
    auto r = run_command("/usr/bin/env",
                         {"HOME=" + home, python,
                          std::string{HOLOBROKER_SOURCE_DIR} + "/tests/daemon/peer/" + script,
                          daemon->frontend("tcp")},
                         sim->ipc_dir(), std::chrono::seconds{60});
    std::vector<std::string> out;
    for (const auto& line : r.out)
      for (const auto& word : steps)
        if (line.rfind(word, 0) == 0)
          out.push_back(line);
    for (const auto& line : out)
      CAF_MESSAGE("peer: " << line);
    return out;
  }

  static std::string key_rule(const std::string& name, const std::string& ops,
                              const std::string& things = "[\"*\"]") {
    return "    - principal: {key: " + name + "}\n      things: " + things
           + "\n      operations: " + ops + "\n";
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

CAF_TEST(a subscriber gets the events of the Things it may subscribe to and a denial for the others) {
  start("security:\n  policy:\n" + uid_rule("[read, subscribe]", "[motor]")
        + uid_rule("[introspect]", "[holobroker]"));
  // A hololinked-style subscriber of a Thing it may not subscribe to: the
  // connection is admitted (it may subscribe to the motor), the spectrometer's
  // measurements (one a second) never reach it.
  auto denied = sub_socket(ctx, daemon->events("ipc"), "spectrometer/measurement");
  CAF_CHECK(logged({"security: denied", "uid " + std::to_string(::getuid()),
                    "subscribe spectrometer/measurement",
                    "no policy rule allows subscribe on this Thing"}));
  CAF_CHECK(logged({"audit:", "thing=spectrometer", "operation=subscribe",
                    "objekt=measurement", "outcome=denied"}));
  // A holobroker subscriber listens for denials and is told, alone.
  zmq::socket_t told{ctx, zmq::socket_type::sub};
  told.set(zmq::sockopt::linger, 0);
  told.set(zmq::sockopt::subscribe, "holobroker/.denied/");
  told.set(zmq::sockopt::subscribe, "spectrometer/measurement");
  told.connect(daemon->events("ipc"));
  auto denial = next_message(told, 10s);
  CAF_REQUIRE(denial.has_value());
  auto ev = wire::parse_event(*denial);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->topic, "holobroker/.denied/spectrometer/measurement");
  auto ex = wire::parse_remote_exception(ev->payload.view());
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->type, "PermissionError");
  CAF_CHECK(ex->message.find("may not subscribe Thing 'spectrometer'") != std::string::npos);
  // The events were there (the denied subscriptions are demand upstream),
  // and the publisher kept them from both.
  auto asker = client("asker", "ipc");
  json events = json::object();
  for (int i = 0; i < 100 && events.value("forwarded", 0) < 2; ++i) {
    std::this_thread::sleep_for(100ms);
    auto status = asker->call("holobroker",
                              op(*asker, "holobroker", "status", "invokeaction", "{}"), 5s);
    CAF_REQUIRE(status.has_value());
    CAF_REQUIRE(status->header.type == wire::message_type::reply);
    events = json::parse(status->payload.view())["broker"]["events"];
  }
  CAF_CHECK_GREATER_OR_EQUAL(events.value("forwarded", 0), 2);
  CAF_CHECK_EQUAL(events.value("subscriptions_denied", 0), 2);
  CAF_CHECK(!next_message(*denied, 500ms).has_value());
  CAF_CHECK(!next_message(told, 500ms).has_value());
  // The CLI reports the denial as the PermissionError it is.
  auto cli = run_command(HOLOBROKER_CLI_BINARY,
                         {"--broker", daemon->frontend("ipc"), "--timeout", "10", "subscribe",
                          "spectrometer", "measurement", "--count", "1"},
                         sim->ipc_dir(), std::chrono::seconds{20});
  CAF_CHECK_NOT_EQUAL(cli.exit_code, 0);
  CAF_CHECK(cli.err.find("PermissionError") != std::string::npos);
  CAF_CHECK(cli.err.find("may not subscribe Thing 'spectrometer'") != std::string::npos);
  CAF_CHECK(cli.out.empty());
}

CAF_TEST(a principal that may subscribe to nothing cannot open the event publisher) {
  start("security:\n  policy:\n" + uid_rule("[read]"));
  auto sub = sub_socket(ctx, daemon->events("ipc"), "spectrometer/measurement");
  CAF_CHECK(logged({"ZAP: refused", "holobroker.events",
                    "no security.policy rule allows subscribe on any Thing"}));
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

CAF_TEST(a reload without the security section keeps the running policy and says so) {
  auto things = sim_thing("spectrometer") + sim_thing("motor");
  start("security:\n  policy:\n" + uid_rule("[read, introspect]"));
  auto c = client("reloader", "ipc");
  auto write_outcome = [&] {
    auto r = c->call("holobroker", op(*c, "spectrometer", "integration_time", "writeproperty", "11"));
    CAF_REQUIRE(r.has_value());
    auto ex = exception_of(*r);
    return ex ? ex->type : std::string{"reply"};
  };
  CAF_REQUIRE_EQUAL(write_outcome(), "PermissionError");
  // Dropping the section would let everyone do everything until a restart
  // removed the ZAP handler: the running policy stays, and the log says so.
  write_file(config_file, config(things));
  daemon->process().signal(SIGHUP);
  CAF_REQUIRE(logged({"reload: " + config_file + ": security: removed; the running security "
                      "(authentication and policy) stays until a restart"}));
  CAF_CHECK(logged({"reloaded:"}));
  CAF_CHECK_EQUAL(write_outcome(), "PermissionError");
  // A file with the section again reloads its policy as usual.
  write_file(config_file, config(things) + "security:\n  policy:\n" + uid_rule("[\"*\"]"));
  daemon->process().signal(SIGHUP);
  bool allowed = false;
  for (int i = 0; i < 200 && !allowed; ++i) {
    allowed = write_outcome() == "reply";
    if (!allowed)
      std::this_thread::sleep_for(25ms);
  }
  CAF_CHECK(allowed);
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

CAF_TEST(a client beyond its request rate gets BlockingIOError for each extra request while another is served) {
  start("limits:\n  max_requests_per_second_per_client: 5\n  request_burst_per_client: 5\n");
  auto eager = client("eager", "ipc");
  std::vector<std::string> ids;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) {
    auto req = op(*eager, "motor", "position", "readproperty");
    ids.push_back(req.header.message_id);
    eager->send(wire::craft_request("holobroker", req));
  }
  // Refusals come back at once, replies after their round trip: collect
  // the answers in the order they arrive.
  std::map<std::string, int> answers;
  int replies = 0;
  int refused = 0;
  auto until = std::chrono::steady_clock::now() + 10s;
  while (answers.size() < ids.size() && std::chrono::steady_clock::now() < until) {
    auto msg = eager->recv(1s);
    if (!msg)
      continue;
    auto r = wire::parse_response(*msg);
    CAF_REQUIRE(r.has_value());
    ++answers[r->header.message_id];
    if (r->header.type == wire::message_type::reply)
      ++replies;
    else if (auto ex = exception_of(*r); ex && ex->type == "BlockingIOError")
      ++refused;
  }
  // Every request ends in exactly one answer.
  CAF_CHECK_EQUAL(answers.size(), ids.size());
  for (const auto& id : ids)
    CAF_CHECK_EQUAL(answers[id], 1);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
  CAF_MESSAGE("30 pipelined reads at 5/s (burst 5): " << replies << " replies, " << refused
                                                       << " refused, in " << took.count()
                                                       << " s");
  CAF_CHECK_EQUAL(replies + refused, 30);
  // The burst, plus what 5 per second gave back while they were answered.
  CAF_CHECK_GREATER_OR_EQUAL(replies, 5);
  CAF_CHECK_LESS_OR_EQUAL(replies, 5 + static_cast<int>(5 * took.count()) + 1);
  auto other = client("polite", "ipc");
  auto r = other->call("holobroker", op(*other, "motor", "position", "readproperty"), 5s);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->header.type == wire::message_type::reply);
  auto status = other->call("holobroker",
                            op(*other, "holobroker", "status", "invokeaction", "{}"), 5s);
  CAF_REQUIRE(status.has_value());
  CAF_REQUIRE(status->header.type == wire::message_type::reply);
  auto sec = json::parse(status->payload.view())["broker"]["security"];
  CAF_CHECK_EQUAL(sec["rate_limited"].get<int>(), refused);
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
  // A client without CURVE at the CURVE front end (every hololinked
  // client) is refused by libzmq before the ZAP handler: audited all the same.
  CAF_CHECK(!logged_now({"handshake failed"}));
  {
    zmq::socket_t plain_at_curve{ctx, zmq::socket_type::dealer};
    plain_at_curve.set(zmq::sockopt::linger, 0);
    plain_at_curve.connect(curve);
    CAF_CHECK(logged({"audit:", "operation=connect", "objekt=holobroker.frontend", "outcome=refused",
                      "handshake failed"}));
  }
  // The plain front end without a policy rule for this uid: refused too.
  bool connected = true;
  auto c = try_client("plain", "ipc", connected);
  CAF_CHECK(!connected);
}

CAF_TEST(one event publisher socket speaks CURVE on its CURVE endpoint only) {
  // libzmq 4.3.4 copies a socket's security options into each listener at
  // bind time: the endpoints bound before ZMQ_CURVE_SERVER stay plain. The
  // broker's single XPUB rests on that; if a libzmq update changes it, this
  // test says so.
  test::temp_dir dir{"holobroker-curve-pub"};
  auto io = std::make_shared<transport::reactor>();
  auto ctx_ptr = std::shared_ptr<zmq::context_t>(&ctx, [](zmq::context_t*) {});
  auto factory = broker::make_zmq_listener_factory(ctx_ptr, io);
  auto server = new_keypair();
  auto mine = new_keypair();
  broker::frontend_options options;
  options.manual_last_value = false; // libzmq filters itself: only mechanisms are under test
  options.curve_event_address = "tcp://127.0.0.1:0";
  options.curve_secret_key = server.secret_key;
  auto ipc = "ipc://" + dir.string() + "/pub.ipc";
  auto opened = factory->open_publisher({ipc, "tcp://127.0.0.1:0"}, options);
  CAF_REQUIRE(opened.has_value());
  std::string plain_tcp, curve_tcp;
  for (const auto& ep : opened->endpoints) {
    if (ep.rfind("tcp://", 0) == 0)
      plain_tcp = ep;
    if (ep.rfind("curve+tcp://", 0) == 0)
      curve_tcp = ep.substr(6);
  }
  CAF_REQUIRE(!plain_tcp.empty());
  CAF_REQUIRE(!curve_tcp.empty());
  auto& pub = *opened->socket;
  auto plain_ipc_sub = sub_socket(ctx, ipc, "t/x");
  auto plain_tcp_sub = sub_socket(ctx, plain_tcp, "t/x");
  auto curve_sub = sub_socket(ctx, curve_tcp, "t/x", &server, &mine);
  auto plain_at_curve = sub_socket(ctx, curve_tcp, "t/x");
  auto curve_at_plain = sub_socket(ctx, plain_tcp, "t/x", &server, &mine);
  // Three subscriptions arrive (one per accepted connection), then no more.
  int subscriptions = 0;
  for (int i = 0; i < 500 && subscriptions < 3; ++i) {
    if (pub.receive())
      ++subscriptions;
    else
      std::this_thread::sleep_for(10ms);
  }
  CAF_REQUIRE_EQUAL(subscriptions, 3);
  pub.send({wire::shared_bytes::from_string("t/x"), wire::shared_bytes::from_string("1")});
  for (auto* s : {plain_ipc_sub.get(), plain_tcp_sub.get(), curve_sub.get()}) {
    auto got = next_message(*s, 5s);
    CAF_REQUIRE(got.has_value());
    CAF_CHECK_EQUAL((*got)[1].view(), "1");
  }
  for (auto* s : {plain_at_curve.get(), curve_at_plain.get()})
    CAF_CHECK(!next_message(*s, 300ms).has_value());
  CAF_CHECK(!pub.receive().has_value());
}

CAF_TEST(a CURVE subscriber with an authorized key receives the events it may and others nothing) {
  start_curve("tcp://127.0.0.1:0", key_rule("alice", "[subscribe, read]")
                                     + key_rule("bob", "[subscribe]", "[spectrometer]"));
  auto alice = add_key("alice", true);
  auto bob = add_key("bob", true);
  auto mallory = add_key("mallory", false);
  run_daemon();
  auto curve_events = announced("curve-events");
  CAF_REQUIRE(curve_events.rfind("tcp://127.0.0.1:", 0) == 0);
  CAF_CHECK(curve_events != announced("curve"));
  // thing-sim's spectrometer publishes measurements on its own; through the
  // daemon they reach the CURVE subscriber.
  auto good = sub_socket(ctx, curve_events, "spectrometer/measurement", &server_keys, &alice);
  auto event = next_message(*good, 10s);
  CAF_REQUIRE(event.has_value());
  CAF_CHECK_EQUAL((*event)[0].view(), "spectrometer/measurement");
  // An unknown key: refused by the ZAP handler, logged and audited.
  auto unknown = sub_socket(ctx, curve_events, "spectrometer/measurement", &server_keys, &mallory);
  CAF_CHECK(logged({"ZAP: refused", "holobroker.events", "(CURVE)", "unknown CURVE key",
                    mallory.public_key}));
  CAF_CHECK(logged({"audit:", "operation=connect", "objekt=holobroker.events",
                    "outcome=refused", "unknown CURVE key"}));
  // A known key that may subscribe to the spectrometer only: its events
  // come, the motor's position change is denied (and audited) for it alone.
  auto partial = sub_socket(ctx, curve_events, "spectrometer/measurement", &server_keys, &bob);
  partial->set(zmq::sockopt::subscribe, "motor/position");
  CAF_CHECK(logged({"audit:", "principal=\"key bob\"", "thing=motor", "operation=subscribe",
                    "outcome=denied"}));
  auto bobs = next_message(*partial, 10s);
  CAF_REQUIRE(bobs.has_value());
  CAF_CHECK_EQUAL((*bobs)[0].view(), "spectrometer/measurement");
  // A plain TCP subscriber cannot talk to the CURVE endpoint at all.
  auto plain = sub_socket(ctx, curve_events, "spectrometer/measurement");
  // Meanwhile the authorized one keeps receiving; the others got nothing.
  CAF_CHECK(next_message(*good, 10s).has_value());
  for (auto* s : {unknown.get(), plain.get()})
    CAF_CHECK(!next_message(*s, 1500ms).has_value());
  // The plain one failed before the ZAP handler was asked: its refusal is
  // in the log and the audit all the same (libzmq names the endpoint only).
  auto at = curve_events.substr(0, curve_events.rfind(':'));
  // Which side notices the mismatch first varies: the broker sees either
  // the mismatch or the peer leaving mid-handshake.
  CAF_CHECK(logged({"refused a holobroker.events connection at", at, "handshake failed"}));
  CAF_CHECK(logged({"audit:", "operation=connect", "objekt=holobroker.events",
                    "outcome=refused", "at " + at, "handshake failed"}));
}

CAF_TEST(the CLI subscribes over CURVE and CURVE clients are pointed at the CURVE endpoints) {
  auto port = free_port_pair();
  auto curve_tcp = "tcp://127.0.0.1:" + std::to_string(port);
  start_curve(curve_tcp, key_rule("alice", "[subscribe, read, introspect]")
                           + uid_rule("[subscribe, read, introspect]"));
  add_key("alice", true);
  run_daemon();
  // security.curve.event_tcp defaults to the port above security.curve.tcp,
  // where the CLI (as hololinked) looks for the events.
  auto curve_events = "tcp://127.0.0.1:" + std::to_string(port + 1);
  CAF_REQUIRE_EQUAL(announced("curve"), curve_tcp);
  CAF_REQUIRE_EQUAL(announced("curve-events"), curve_events);
  auto cli = [&](std::vector<std::string> args) {
    return run_command(HOLOBROKER_CLI_BINARY, args, sim->ipc_dir(), std::chrono::seconds{20});
  };
  std::vector<std::string> curve{"--broker", curve_tcp, "--curve-server-key",
                                 keys + "/server.pub", "--curve-key", keys + "/alice.key",
                                 "--timeout", "10", "--log-level", "info"};
  auto with = [](std::vector<std::string> a, std::vector<std::string> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  auto sub = cli(with(curve, {"subscribe", "spectrometer", "measurement", "--count", "1"}));
  CAF_CHECK_EQUAL(sub.exit_code, 0);
  CAF_CHECK(sub.err.find("subscribed to spectrometer/measurement (confirmed by the broker)")
            != std::string::npos);
  CAF_REQUIRE_EQUAL(sub.out.size(), 1u);
  CAF_CHECK(!json::parse(sub.out[0], nullptr, false).is_discarded());
  // The Thing Description names the CURVE endpoints to a CURVE client, the
  // plain ones to everyone else.
  auto event_hrefs = [](const std::string& td_text) {
    std::set<std::string> out;
    auto td = json::parse(td_text, nullptr, false);
    if (td.is_discarded() || !td.contains("events"))
      return out;
    for (auto& [name, ev] : td["events"].items())
      for (auto& form : ev.value("forms", json::array()))
        if (form.contains("href"))
          out.insert(form["href"].get<std::string>());
    return out;
  };
  auto td_curve = cli(with(curve, {"invoke", "spectrometer", "get_thing_description"}));
  CAF_REQUIRE_EQUAL(td_curve.exit_code, 0);
  CAF_REQUIRE_EQUAL(td_curve.out.size(), 1u);
  CAF_CHECK_EQUAL(event_hrefs(td_curve.out[0]), std::set<std::string>{curve_events});
  auto td_plain = cli({"--broker", daemon->frontend("ipc"), "--timeout", "10", "invoke",
                       "spectrometer", "get_thing_description"});
  CAF_REQUIRE_EQUAL(td_plain.exit_code, 0);
  CAF_REQUIRE_EQUAL(td_plain.out.size(), 1u);
  auto plain_hrefs = event_hrefs(td_plain.out[0]);
  CAF_CHECK(!plain_hrefs.empty());
  CAF_CHECK(plain_hrefs.count(curve_events) == 0);
  CAF_CHECK(plain_hrefs.count(curve_tcp) == 0);
}

CAF_TEST(the CLI finds CURVE events elsewhere than the port above with --events) {
  auto port = free_port_pair();
  auto curve_tcp = "tcp://127.0.0.1:" + std::to_string(port);
  // Another free port: not the one above the front end, where nothing listens.
  auto other = free_port_pair();
  if (other == port + 1 || other + 1 == port)
    other = free_port_pair();
  auto curve_events = "tcp://127.0.0.1:" + std::to_string(other);
  start_curve(curve_tcp, key_rule("alice", "[subscribe, read, introspect]")
                           + uid_rule("[subscribe, read, introspect]"),
              "    event_tcp: " + curve_events + "\n");
  add_key("alice", true);
  run_daemon();
  CAF_REQUIRE_EQUAL(announced("curve-events"), curve_events);
  auto cli = [&](std::vector<std::string> args) {
    return run_command(HOLOBROKER_CLI_BINARY, args, sim->ipc_dir(), std::chrono::seconds{20});
  };
  auto sub = cli({"--broker", curve_tcp, "--curve-server-key", keys + "/server.pub",
                  "--curve-key", keys + "/alice.key", "--events", curve_events, "--timeout",
                  "10", "--log-level", "info", "subscribe", "spectrometer", "measurement",
                  "--count", "1"});
  CAF_CHECK_EQUAL(sub.exit_code, 0);
  CAF_CHECK(sub.err.find("subscribed to spectrometer/measurement (confirmed by the broker)")
            != std::string::npos);
  CAF_REQUIRE_EQUAL(sub.out.size(), 1u);
  CAF_CHECK(!json::parse(sub.out[0], nullptr, false).is_discarded());
  // An address the grammar refuses, or one that names no place to connect
  // to, is a usage error that says so.
  for (std::string bad : {"udp://127.0.0.1:1", "IPC"}) {
    auto r = cli({"--broker", curve_tcp, "--events", bad, "subscribe", "spectrometer",
                  "measurement"});
    CAF_CHECK_EQUAL(r.exit_code, 2);
    CAF_CHECK(r.err.find("--events") != std::string::npos);
  }
}

CAF_TEST(real hololinked ObjectProxies receive the events of the Things they may subscribe to only) {
  // Requests come over TCP; hololinked's client takes the events from the
  // IPC endpoint the Thing Description names (same host), as this uid.
  start("security:\n  policy:\n    - principal: {cidr: 127.0.0.0/8}\n"
        "      things: [\"*\"]\n      operations: [read, introspect]\n"
        "    - principal: {cidr: 127.0.0.0/8}\n"
        "      things: [motor]\n      operations: [write]\n"
        + uid_rule("[subscribe]", "[motor]"),
        "  frontend: {ipc: true, tcp: tcp://127.0.0.1:0}\n");
  auto ran = run_peer_script("subscriptions.py", {"motor ", "spectrometer "});
  if (!ran)
    return;
  auto& steps = *ran;
  CAF_REQUIRE_EQUAL(steps.size(), 2u);
  CAF_CHECK_EQUAL(steps[0], "motor changes some");
  CAF_CHECK_EQUAL(steps[1], "spectrometer measurements 0");
  CAF_CHECK(logged({"audit:", "principal=\"uid " + std::to_string(::getuid()), "thing=spectrometer",
                    "operation=subscribe", "objekt=measurement", "outcome=denied"}));
}

CAF_TEST(a real hololinked ObjectProxy denied by the policy gets a clear PermissionError) {
  start("security:\n  policy:\n    - principal: {cidr: 127.0.0.0/8}\n"
        "      things: [\"*\"]\n      operations: [read, introspect]\n",
        "  frontend: {ipc: true, tcp: tcp://127.0.0.1:0}\n");
  auto ran = run_peer_script("denied_write.py", {"read ", "write ", "PermissionError ", "other "});
  if (!ran)
    return;
  auto& steps = *ran;
  CAF_REQUIRE_EQUAL(steps.size(), 2u);
  CAF_CHECK_EQUAL(steps[0], "read 10.0");
  CAF_CHECK_EQUAL(steps[1], "PermissionError holobroker: tcp 127.0.0.1 may not write Thing "
                            "'spectrometer' (no policy rule allows write on this Thing)");
  CAF_CHECK(logged({"audit:", "principal=\"tcp 127.0.0.1\"", "operation=write",
                    "outcome=denied"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
