// The ZAP handler on real sockets: who a connection is, and that a refused
// one never delivers a message. IPC in a fresh temp dir, TCP on free ports.
#define CAF_SUITE security.zap
#include <caf/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <zmq.hpp>

#include "holobroker/security/audit.hpp"
#include "holobroker/security/curve_keys.hpp"
#include "holobroker/security/zap_handler.hpp"
#include "holobroker/zmq/multipart_io.hpp"
#include "support/policy_rules.hpp"
#include "support/temp_dir.hpp"

using namespace holobroker;
using namespace holobroker::security;
using holobroker::test::uid_selector;

namespace {

using namespace std::chrono_literals;

/// `who` may read every Thing.
policy_rule rule_for(principal_selector who) {
  return test::rule(std::move(who), {"*"}, {operation::read});
}

struct zap_fixture {
  test::temp_dir dir{"holobroker-zap"};
  std::shared_ptr<zmq::context_t> ctx = std::make_shared<zmq::context_t>(1);
  std::unique_ptr<zap_handler> zap;
  std::unique_ptr<zmq::socket_t> router;
  std::string ipc;
  std::string tcp;
  std::vector<audit_record> audited;

  zap_fixture() {
    set_audit_writer([this](const audit_record& r) { audited.push_back(r); });
  }

  ~zap_fixture() {
    set_audit_writer(nullptr);
    router.reset();
    zap.reset();
  }

  void start(zap_settings s, const curve_keypair* server = nullptr) {
    auto h = zap_handler::start(ctx, std::move(s));
    CAF_REQUIRE(h.has_value());
    zap = std::move(*h);
    router = std::make_unique<zmq::socket_t>(*ctx, zmq::socket_type::router);
    router->set(zmq::sockopt::linger, 0);
    router->set(zmq::sockopt::zap_domain, frontend_domain);
    if (server) {
      router->set(zmq::sockopt::curve_server, 1);
      router->set(zmq::sockopt::curve_secretkey, server->secret_key);
    } else {
      ipc = "ipc://" + dir.string() + "/front.ipc";
      router->bind(ipc);
    }
    router->bind("tcp://127.0.0.1:*");
    tcp = router->get(zmq::sockopt::last_endpoint);
  }

  std::unique_ptr<zmq::socket_t> client(const std::string& endpoint,
                                        const curve_keypair* server = nullptr,
                                        const curve_keypair* mine = nullptr) {
    auto d = std::make_unique<zmq::socket_t>(*ctx, zmq::socket_type::dealer);
    d->set(zmq::sockopt::linger, 0);
    if (server) {
      d->set(zmq::sockopt::curve_serverkey, server->public_key);
      d->set(zmq::sockopt::curve_publickey, mine->public_key);
      d->set(zmq::sockopt::curve_secretkey, mine->secret_key);
    }
    d->connect(endpoint);
    d->send(zmq::str_buffer("hello"), zmq::send_flags::none);
    return d;
  }

  /// The User-Id of the next message at the router, or nullopt within 5 s.
  std::optional<std::string> next_user_id() {
    zmq::pollitem_t item{router->handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, 5s) == 0)
      return std::nullopt;
    std::string user_id;
    auto frames = zmqio::recv_multipart(*router, user_id);
    CAF_REQUIRE(frames.has_value());
    return user_id;
  }

  /// Waits (bounded) until the handler refused `n` connections, then checks
  /// that nothing reached the router.
  bool refused_and_silent(std::uint64_t n) {
    for (int i = 0; i < 500 && zap->refused() < n; ++i)
      std::this_thread::sleep_for(10ms);
    if (zap->refused() < n)
      return false;
    zmq::pollitem_t item{router->handle(), 0, ZMQ_POLLIN, 0};
    return zmq::poll(&item, 1, 100ms) == 0;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(zap_tests, zap_fixture)

CAF_TEST(an IPC peer is its uid and gid from the socket credentials) {
  start({});
  auto c = client(ipc);
  auto id = next_user_id();
  CAF_REQUIRE(id.has_value());
  auto p = parse_user_id(*id);
  CAF_REQUIRE(p.has_value());
  CAF_CHECK(p->kind == principal_kind::unix_peer);
  CAF_CHECK_EQUAL(p->uid, static_cast<std::uint32_t>(::getuid()));
  CAF_CHECK_EQUAL(p->gid, static_cast<std::uint32_t>(::getgid()));
}

CAF_TEST(a local uid not in the policy cannot connect) {
  zap_settings s;
  s.rules = policy{};
  s.rules->rules.push_back(rule_for(uid_selector(::getuid() + 4242)));
  start(std::move(s));
  auto c = client(ipc);
  CAF_CHECK(refused_and_silent(1));
  CAF_REQUIRE_EQUAL(audited.size(), 1u);
  CAF_CHECK_EQUAL(audited[0].outcome, "refused");
  CAF_CHECK_EQUAL(audited[0].operation, "connect");
  CAF_CHECK(audited[0].detail.find("no security.policy rule") != std::string::npos);
}

CAF_TEST(a local uid in the policy connects) {
  zap_settings s;
  s.rules = policy{};
  s.rules->rules.push_back(rule_for(uid_selector(::getuid())));
  start(std::move(s));
  auto c = client(ipc);
  CAF_CHECK(next_user_id().has_value());
}

CAF_TEST(a TCP peer outside the allowed ranges cannot connect and is logged with its address) {
  zap_settings s;
  s.tcp_allow = {*cidr::parse("10.0.0.0/8")};
  start(std::move(s));
  auto c = client(tcp);
  CAF_CHECK(refused_and_silent(1));
  CAF_REQUIRE_EQUAL(audited.size(), 1u);
  CAF_CHECK(audited[0].detail.find("from 127.0.0.1") != std::string::npos);
  CAF_CHECK(audited[0].detail.find("security.tcp.allow") != std::string::npos);
}

CAF_TEST(a denied range wins over an allowed one) {
  zap_settings s;
  s.tcp_allow = {*cidr::parse("127.0.0.0/8")};
  s.tcp_deny = {*cidr::parse("127.0.0.1/32")};
  start(std::move(s));
  auto c = client(tcp);
  CAF_CHECK(refused_and_silent(1));
}

CAF_TEST(a TCP peer in the allowed ranges is its address) {
  zap_settings s;
  s.tcp_allow = {*cidr::parse("127.0.0.0/8")};
  start(std::move(s));
  auto c = client(tcp);
  auto id = next_user_id();
  CAF_REQUIRE(id.has_value());
  CAF_CHECK_EQUAL(*id, "tcp:127.0.0.1");
}

CAF_TEST(a CURVE peer is the name of its authorized key and an unknown key cannot connect) {
  auto server = generate_keypair();
  auto alice = generate_keypair();
  auto mallory = generate_keypair();
  CAF_REQUIRE(server && alice && mallory);
  zap_settings s;
  s.curve_clients[alice->public_key] = "alice";
  start(std::move(s), &*server);
  {
    auto c = client(tcp, &*server, &*alice);
    auto id = next_user_id();
    CAF_REQUIRE(id.has_value());
    CAF_CHECK_EQUAL(*id, "curve:alice");
  }
  auto c = client(tcp, &*server, &*mallory);
  CAF_CHECK(refused_and_silent(1));
  CAF_REQUIRE_EQUAL(audited.size(), 1u);
  CAF_CHECK(audited[0].detail.find("unknown CURVE key " + mallory->public_key)
            != std::string::npos);
}

CAF_TEST(settings replaced at run time apply to the next connection) {
  start({});
  auto first = client(tcp);
  CAF_CHECK(next_user_id().has_value());
  zap_settings s;
  s.tcp_deny = {*cidr::parse("127.0.0.0/8")};
  zap->update(std::move(s));
  auto second = client(tcp);
  CAF_CHECK(refused_and_silent(1));
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(an event publisher that decides each subscription admits principals that may subscribe somewhere) {
  zap_settings s;
  s.things = {"spectrometer", "motor"};
  s.events_filtered = true;
  s.rules = policy{};
  auto r = rule_for(uid_selector(7));
  r.things = {"spectrometer"};
  r.operations = static_cast<operation_set>(operation::subscribe);
  s.rules->rules.push_back(r);
  auto reader = rule_for(uid_selector(8));
  reader.things = {"*"};
  reader.operations = static_cast<operation_set>(operation::read);
  s.rules->rules.push_back(reader);
  zap_request req{events_domain, "localhost:7:7:1", "NULL", ""};
  CAF_CHECK(decide(s, req).accepted);
  // Mentioned by the policy, but allowed to subscribe to nothing.
  req.address = "localhost:8:8:1";
  auto v = decide(s, req);
  CAF_CHECK(!v.accepted);
  CAF_CHECK_EQUAL(v.reason, "no security.policy rule allows subscribe on any Thing");
  req.domain = frontend_domain;
  CAF_CHECK(decide(s, req).accepted);
}

CAF_TEST(an event publisher that cannot filter admits only principals that may subscribe to every Thing) {
  zap_settings s;
  s.things = {"spectrometer", "motor"};
  s.rules = policy{};
  auto r = rule_for(uid_selector(7));
  r.things = {"spectrometer"};
  r.operations = static_cast<operation_set>(operation::subscribe);
  s.rules->rules.push_back(r);
  zap_request req{events_domain, "localhost:7:7:1", "NULL", ""};
  auto v = decide(s, req);
  CAF_CHECK(!v.accepted);
  CAF_CHECK(v.reason.find("motor") != std::string::npos);
  s.rules->rules[0].things = {"*"};
  CAF_CHECK(decide(s, req).accepted);
  req.domain = frontend_domain;
  CAF_CHECK(decide(s, req).accepted);
}

CAF_TEST(key files round-trip and a readable secret key is refused) {
  test::temp_dir dir{"holobroker-keys"};
  auto keys = generate_keypair();
  CAF_REQUIRE(keys.has_value());
  auto paths = write_key_files(dir.string(), "alice", *keys);
  CAF_REQUIRE(paths.has_value());
  auto pair = read_key_file(paths->first, true);
  CAF_REQUIRE(pair.has_value());
  CAF_CHECK_EQUAL(pair->secret_key, keys->secret_key);
  CAF_CHECK(!read_key_file(paths->second, true).has_value());
  auto clients = read_client_keys(dir.string());
  CAF_REQUIRE(clients.has_value());
  CAF_REQUIRE_EQUAL(clients->size(), 1u);
  CAF_CHECK_EQUAL(clients->at(keys->public_key), "alice");
  CAF_CHECK(!write_key_files(dir.string(), "alice", *keys).has_value()); // no overwrite
  ::chmod(paths->first.c_str(), 0640);
  auto loose = read_key_file(paths->first, true);
  CAF_REQUIRE(!loose.has_value());
  CAF_CHECK(loose.error().find("chmod 600") != std::string::npos);
}
