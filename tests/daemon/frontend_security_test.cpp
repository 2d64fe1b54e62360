// The front end's access control and per-client bound under CAF's test
// coordinator: the User-Id each message carries (what the ZAP handler said)
// is scripted by the fake socket.
#define CAF_SUITE frontend_security
#include <caf/test/dsl.hpp>

#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "broker/client_rate_limit.hpp"
#include "broker_fixture.hpp"
#include "holobroker/security/audit.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/requests.hpp"
#include "support/policy_rules.hpp"
#include "support/replies.hpp"

using namespace holobroker;
using namespace holobroker::test;

namespace {

security::policy_rule rule(std::uint32_t uid, std::vector<std::string> things,
                           std::initializer_list<security::operation> ops) {
  return test::rule(test::uid_selector(uid), std::move(things), ops);
}

struct fixture : broker_fixture {
  broker::frontend_actor frontend;
  std::shared_ptr<security::authorizer> policy;
  std::vector<security::audit_record> audited;

  /// `rate`, `burst`: limits.max_requests_per_second_per_client and
  /// limits.request_burst_per_client (0: off).
  explicit fixture(std::uint32_t rate = 0, std::uint32_t burst = 0) {
    security::set_audit_writer([this](const security::audit_record& r) { audited.push_back(r); });
    security::policy p;
    // uid 1000 reads and subscribes to everything; uid 2000 may do all on the motor.
    using security::operation;
    p.rules.push_back(rule(1000, {"*"}, {operation::read, operation::subscribe}));
    p.rules.push_back(rule(2000, {"motor"}, {operation::read, operation::write, operation::invoke}));
    // uid 4000 may only ask the broker itself.
    p.rules.push_back(rule(4000, {"holobroker"}, {operation::introspect}));
    policy = std::make_shared<security::authorizer>(p);
    broker::frontend_config cfg;
    cfg.broker_id = "holobroker";
    cfg.policy = policy;
    cfg.max_in_flight_per_client = 2;
    cfg.max_requests_per_second_per_client = rate;
    cfg.request_burst_per_client = burst;
    auto fanin = broker::spawn_event_fanin(sys, std::make_shared<fake_publisher_socket>(pub));
    frontend = broker::spawn_frontend(sys, cfg, std::make_shared<fake_frontend_socket>(front),
                                      spawn_fake_fleet(sys, fleet_calls, connection, fleet_things),
                                      fanin, fake_directory(connection, fleet_things));
    sched.run();
  }

  ~fixture() { security::set_audit_writer(nullptr); }

  void sends_as(const std::string& user_id, const std::string& client, const wire::request& req) {
    auto frames = wire::craft_request("holobroker", req);
    frames[0] = wire::shared_bytes::copy_of(client);
    front->user_ids.push_back(user_id);
    client_sends(std::move(frames));
  }

  /// By value: CAF_CHECK_EQUAL keeps references to its arguments past the
  /// temporaries they came from.
  std::string exception_type(std::size_t i) {
    auto ex = exception_at(i);
    return ex ? ex->type : std::string{"(not an EXCEPTION)"};
  }

  std::optional<wire::remote_exception> exception_at(std::size_t i) {
    return exception_of(sent_response(i));
  }
};

/// 10 requests per second per client, 3 at once.
struct rate_fixture : fixture {
  rate_fixture() : fixture(10, 3) {}

  nlohmann::json security_status() {
    nlohmann::json out;
    auto rp = self->request(frontend, caf::infinite, caf::get_atom_v, client::status_atom_v);
    sched.run();
    rp.receive([&](const std::string& doc) { out = nlohmann::json::parse(doc); },
               [](const caf::error& err) { CAF_FAIL("status failed: " << caf::to_string(err)); });
    return out["broker"]["security"];
  }
};

} // namespace

CAF_TEST(the rate table forgets refilled buckets first and stays bounded) {
  using namespace std::chrono_literals;
  broker::client_rate_limit limit{10, 2, 3}; // 10/s, burst 2, 3 clients at most
  broker::client_rate_limit::time_point t0{};
  CAF_CHECK(limit.admit("a", t0));
  CAF_CHECK(limit.admit("a", t0));
  CAF_CHECK(!limit.admit("a", t0)); // a's burst is spent
  CAF_CHECK(limit.admit("b", t0 + 240ms));
  CAF_CHECK(limit.admit("c", t0 + 240ms));
  CAF_CHECK_EQUAL(limit.clients(), 3u);
  // At 250 ms a has refilled (2 tokens back after 200 ms), b and c have
  // not: a fourth client makes room by forgetting a only.
  CAF_CHECK(limit.admit("d", t0 + 250ms));
  CAF_CHECK_EQUAL(limit.clients(), 3u);
  CAF_CHECK(limit.admit("b", t0 + 250ms));
  CAF_CHECK(!limit.admit("b", t0 + 250ms)); // b kept its bucket: now spent
  // Nobody refilled: the table starts afresh rather than grow.
  CAF_CHECK(limit.admit("e", t0 + 250ms));
  CAF_CHECK_EQUAL(limit.clients(), 1u);
}

CAF_TEST(no rate configured admits everything and keeps no table) {
  broker::client_rate_limit off;
  for (int i = 0; i < 1000; ++i)
    CAF_CHECK(off.admit("x", {}));
  CAF_CHECK_EQUAL(off.clients(), 0u);
}

CAF_TEST_FIXTURE_SCOPE(frontend_security_tests, fixture)

CAF_TEST(a denied request never reaches the Thing and gets a PermissionError naming who what and where) {
  auto w = op("reader", "spectrometer", "integration_time", wire::op::write_property);
  sends_as("unix:1000:1000:", "reader", w);
  CAF_CHECK(router_calls->seen.empty());
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  CAF_CHECK_EQUAL(sent_response(0).header.message_id, w.header.message_id);
  auto ex = exception_at(0);
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->type, "PermissionError");
  CAF_CHECK_EQUAL(ex->message, "holobroker: uid 1000 (gid 1000) may not write Thing "
                               "'spectrometer' (no policy rule allows write on this Thing)");
  CAF_REQUIRE_EQUAL(audited.size(), 1u);
  CAF_CHECK_EQUAL(audited[0].principal, "uid 1000 (gid 1000)");
  CAF_CHECK_EQUAL(audited[0].thing, "spectrometer");
  CAF_CHECK_EQUAL(audited[0].operation, "write");
  CAF_CHECK_EQUAL(audited[0].message_id, w.header.message_id);
  CAF_CHECK_EQUAL(audited[0].outcome, "denied");
}

CAF_TEST(a read only principal reads but neither writes nor invokes) {
  sends_as("unix:1000:1000:", "reader", op("reader", "spectrometer", "integration_time"));
  sends_as("unix:1000:1000:", "reader",
           op("reader", "spectrometer", "acquire", wire::op::invoke_action));
  sends_as("unix:1000:1000:", "reader",
           op("reader", "motor", "position", wire::op::write_property));
  CAF_REQUIRE_EQUAL(router_calls->seen.size(), 1u);
  CAF_CHECK_EQUAL(router_calls->seen[0].operation, "readproperty");
  CAF_REQUIRE_EQUAL(front->sent.size(), 3u);
  CAF_CHECK(sent_response(0).header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(exception_type(1), "PermissionError");
  CAF_CHECK_EQUAL(exception_type(2), "PermissionError");
  // Reads are decided, not audited; the two denials are.
  CAF_CHECK_EQUAL(audited.size(), 2u);
}

CAF_TEST(a principal the policy does not mention and an anonymous peer are denied everything) {
  sends_as("unix:3000:3000:", "stranger", op("stranger", "motor", "position"));
  sends_as("", "anonymous", op("anonymous", "motor", "position"));
  sends_as("tcp:10.0.0.1", "remote", op("remote", "holobroker", "status",
                                         wire::op::invoke_action));
  CAF_CHECK(router_calls->seen.empty());
  CAF_REQUIRE_EQUAL(front->sent.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    CAF_CHECK_EQUAL(exception_type(i), "PermissionError");
  CAF_CHECK(exception_at(1)->message.find("anonymous may not read") != std::string::npos);
  CAF_CHECK(exception_at(2)->message.find("may not introspect Thing 'holobroker'")
            != std::string::npos);
}

CAF_TEST(an allowed write and invoke are audited with how they ended) {
  auto w = op("owner", "motor", "position", wire::op::write_property);
  sends_as("unix:2000:2000:", "owner", w);
  sends_as("unix:2000:2000:", "owner", op("owner", "motor", "boom", wire::op::invoke_action));
  CAF_REQUIRE_EQUAL(audited.size(), 2u);
  CAF_CHECK_EQUAL(audited[0].operation, "write");
  CAF_CHECK_EQUAL(audited[0].message_id, w.header.message_id);
  CAF_CHECK_EQUAL(audited[0].outcome, "reply");
  CAF_CHECK_EQUAL(audited[1].operation, "invoke");
  CAF_CHECK_EQUAL(audited[1].objekt, "boom");
  CAF_CHECK_EQUAL(audited[1].outcome, "exception");
}

CAF_TEST(a replaced policy applies to the next request) {
  sends_as("unix:3000:3000:", "late", op("late", "motor", "position"));
  CAF_CHECK_EQUAL(exception_type(0), "PermissionError");
  security::policy p;
  p.rules.push_back(rule(3000, {"motor"}, {security::operation::read}));
  policy->replace(p);
  sends_as("unix:3000:3000:", "late", op("late", "motor", "position"));
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u);
  CAF_CHECK(sent_response(1).header.type == wire::message_type::reply);
}

CAF_TEST(a client over its in flight bound gets BlockingIOError and others are not affected) {
  for (int i = 0; i < 3; ++i)
    sends_as("unix:1000:1000:", "greedy", op("greedy", "spectrometer", "hang"));
  CAF_CHECK_EQUAL(router_calls->seen.size(), 2u);
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  CAF_CHECK_EQUAL(exception_type(0), "BlockingIOError");
  sends_as("unix:1000:1000:", "polite", op("polite", "spectrometer", "integration_time"));
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u);
  CAF_CHECK(sent_response(1).header.type == wire::message_type::reply);
  // One held request ends: the greedy client may send one more.
  release(0);
  CAF_REQUIRE_EQUAL(front->sent.size(), 3u);
  sends_as("unix:1000:1000:", "greedy", op("greedy", "spectrometer", "integration_time"));
  CAF_REQUIRE_EQUAL(front->sent.size(), 4u);
  CAF_CHECK(sent_response(3).header.type == wire::message_type::reply);
  release(1); // every request ends in exactly one reply
  CAF_CHECK_EQUAL(front->sent.size(), 5u);
}

CAF_TEST(a client that never reads costs a bounded number of log lines and every drop is counted) {
  // Its replies are dropped at the high-water mark; one warning each would
  // let it fill the journal at the rate it sends.
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  front->would_block_every = 1;
  for (int i = 0; i < 300; ++i)
    sends_as("unix:1000:1000:", "deaf", op("deaf", "spectrometer", "integration_time"));
  spdlog::set_default_logger(previous);
  CAF_CHECK_EQUAL(front->sent.size(), 300u);
  // Only the first request reached the Thing: after its reply was dropped,
  // the client counts as not reading and is refused at the door.
  CAF_CHECK_EQUAL(router_calls->seen.size(), 1u);
  std::size_t lines = 0;
  std::istringstream in{log.str()};
  for (std::string line; std::getline(in, line);)
    if (line.find("is not reading") != std::string::npos)
      ++lines;
  CAF_CHECK_GREATER(lines, 0u);
  CAF_CHECK_LESS(lines, 50u);
  front->would_block_every = 0;
  auto rp = self->request(frontend, caf::infinite, caf::get_atom_v, client::status_atom_v);
  sched.run();
  rp.receive(
    [](const std::string& doc) {
      auto j = nlohmann::json::parse(doc);
      CAF_CHECK_EQUAL(j["broker"]["security"]["replies_dropped"].get<int>(), 300);
      CAF_CHECK_EQUAL(j["broker"]["security"]["not_reading_refused"].get<int>(), 299);
    },
    [](const caf::error& err) { CAF_FAIL("status failed: " << caf::to_string(err)); });
}

CAF_TEST(a client that does not read is refused before the Thing until it reads and others are served meanwhile) {
  front->not_reading.insert("deaf");
  auto write = op("deaf", "motor", "position", wire::op::write_property);
  sends_as("unix:2000:2000:", "deaf", write); // reaches the Thing; its reply is dropped
  CAF_REQUIRE_EQUAL(router_calls->seen.size(), 1u);
  for (int i = 0; i < 5; ++i)
    sends_as("unix:2000:2000:", "deaf", op("deaf", "motor", "position", wire::op::write_property));
  CAF_CHECK_EQUAL(router_calls->seen.size(), 1u); // none of these moved the motor
  CAF_REQUIRE_EQUAL(front->sent.size(), 6u);
  for (std::size_t i = 1; i < 6; ++i)
    CAF_CHECK_EQUAL(exception_type(i), "BlockingIOError");
  CAF_CHECK(exception_at(1)->message.find("does not read its replies") != std::string::npos);
  // Each refused write is audited as such (one record per request).
  CAF_REQUIRE_EQUAL(audited.size(), 6u);
  CAF_CHECK_EQUAL(audited[0].outcome, "reply");
  CAF_CHECK_EQUAL(audited[5].outcome, "error");
  CAF_CHECK(audited[5].detail.find("limits.send_queue") != std::string::npos);
  // Another client of the same Thing is served all the while.
  sends_as("unix:2000:2000:", "polite", op("polite", "motor", "position"));
  CAF_CHECK_EQUAL(router_calls->seen.size(), 2u);
  CAF_REQUIRE_EQUAL(front->sent.size(), 7u);
  CAF_CHECK(sent_response(6).header.type == wire::message_type::reply);
  // The client reads again: the next refusal goes through, and that
  // delivered answer is what lets its following request reach the Thing.
  front->not_reading.clear();
  sends_as("unix:2000:2000:", "deaf", op("deaf", "motor", "position"));
  CAF_REQUIRE_EQUAL(front->sent.size(), 8u);
  CAF_CHECK_EQUAL(exception_type(7), "BlockingIOError");
  sends_as("unix:2000:2000:", "deaf", op("deaf", "motor", "position"));
  CAF_CHECK_EQUAL(router_calls->seen.size(), 3u);
  CAF_REQUIRE_EQUAL(front->sent.size(), 9u);
  CAF_CHECK(sent_response(8).header.type == wire::message_type::reply);
}

CAF_TEST(a write refused for too many in flight is audited) {
  for (int i = 0; i < 2; ++i)
    sends_as("unix:2000:2000:", "greedy", op("greedy", "motor", "hang"));
  sends_as("unix:2000:2000:", "greedy",
           op("greedy", "motor", "position", wire::op::write_property));
  CAF_CHECK_EQUAL(router_calls->seen.size(), 2u);
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  CAF_CHECK_EQUAL(exception_type(0), "BlockingIOError");
  CAF_REQUIRE_EQUAL(audited.size(), 1u);
  CAF_CHECK_EQUAL(audited[0].operation, "write");
  CAF_CHECK_EQUAL(audited[0].outcome, "error");
  CAF_CHECK(audited[0].detail.find("limits.max_in_flight_per_client") != std::string::npos);
  release(0);
  release(1);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(frontend_rate_tests, rate_fixture)

CAF_TEST(a client beyond its request rate gets BlockingIOError at once and its tokens come back with time) {
  for (int i = 0; i < 5; ++i)
    sends_as("unix:1000:1000:", "eager", op("eager", "spectrometer", "integration_time"));
  // The burst (3) reached the Thing; the other two never did.
  CAF_CHECK_EQUAL(router_calls->seen.size(), 3u);
  CAF_REQUIRE_EQUAL(front->sent.size(), 5u);
  for (std::size_t i = 0; i < 3; ++i)
    CAF_CHECK(sent_response(i).header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(exception_type(3), "BlockingIOError");
  auto refusal = exception_at(4);
  CAF_REQUIRE(refusal.has_value());
  CAF_CHECK_EQUAL(refusal->message,
                  "holobroker: this client sends more than 10 requests per second "
                  "(limits.max_requests_per_second_per_client, burst 3); slow down");
  // 10 per second: one token back after 100 ms, not before.
  advance_time(std::chrono::milliseconds{99});
  sends_as("unix:1000:1000:", "eager", op("eager", "spectrometer", "integration_time"));
  CAF_REQUIRE_EQUAL(front->sent.size(), 6u);
  CAF_CHECK_EQUAL(exception_type(5), "BlockingIOError");
  advance_time(std::chrono::milliseconds{1});
  sends_as("unix:1000:1000:", "eager", op("eager", "spectrometer", "integration_time"));
  CAF_REQUIRE_EQUAL(front->sent.size(), 7u);
  CAF_CHECK(sent_response(6).header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(router_calls->seen.size(), 4u);
  // A long pause gives back the burst, not more.
  advance_time(std::chrono::seconds{10});
  for (int i = 0; i < 4; ++i)
    sends_as("unix:1000:1000:", "eager", op("eager", "spectrometer", "integration_time"));
  CAF_REQUIRE_EQUAL(front->sent.size(), 11u);
  CAF_CHECK(sent_response(9).header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(exception_type(10), "BlockingIOError");
  auto sec = security_status();
  CAF_CHECK_EQUAL(sec["rate_limited"].get<int>(), 4);
  CAF_CHECK_EQUAL(sec["clients_rate_tracked"].get<int>(), 1);
}

CAF_TEST(another client of the same principal keeps its own rate while one floods) {
  for (int i = 0; i < 20; ++i)
    sends_as("unix:1000:1000:", "flood", op("flood", "spectrometer", "integration_time"));
  std::vector<std::string> polite;
  for (int i = 0; i < 3; ++i) {
    auto req = op("polite", "spectrometer", "integration_time");
    polite.push_back(req.header.message_id);
    sends_as("unix:1000:1000:", "polite", req);
  }
  CAF_REQUIRE_EQUAL(front->sent.size(), 23u);
  for (std::size_t i = 20; i < 23; ++i) {
    CAF_CHECK_EQUAL(sent_response(i).header.message_id, polite[i - 20]);
    CAF_CHECK(sent_response(i).header.type == wire::message_type::reply);
  }
  CAF_CHECK_EQUAL(router_calls->seen.size(), 6u);
}

CAF_TEST(the actions of the broker itself count against the rate too) {
  for (int i = 0; i < 4; ++i)
    sends_as("unix:4000:4000:", "asker",
             op("asker", "holobroker", "ping", wire::op::invoke_action));
  sched.run();
  CAF_REQUIRE_EQUAL(front->sent.size(), 4u);
  std::size_t refused = 0;
  for (std::size_t i = 0; i < 4; ++i)
    if (exception_type(i) == "BlockingIOError")
      ++refused;
  CAF_CHECK_EQUAL(refused, 1u);
}

CAF_TEST(oneway requests beyond the rate are dropped before the Thing and their writes audited) {
  for (int i = 0; i < 5; ++i)
    sends_as("unix:2000:2000:", "mover",
             oneway_write("mover", "motor", "position"));
  sched.run();
  CAF_CHECK_EQUAL(router_calls->oneway.size(), 3u);
  CAF_CHECK(front->sent.empty()); // oneway: no answer either way
  CAF_REQUIRE_EQUAL(audited.size(), 5u);
  CAF_CHECK_EQUAL(audited[0].outcome, "oneway");
  CAF_CHECK_EQUAL(audited[4].outcome, "error");
  CAF_CHECK(audited[4].detail.find("limits.max_requests_per_second_per_client")
            != std::string::npos);
  CAF_CHECK_EQUAL(security_status()["rate_limited"].get<int>(), 2);
}

CAF_TEST(a request the policy denies is denied whatever the rate) {
  for (int i = 0; i < 5; ++i)
    sends_as("unix:3000:3000:", "stranger", op("stranger", "motor", "position"));
  CAF_REQUIRE_EQUAL(front->sent.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i)
    CAF_CHECK_EQUAL(exception_type(i), "PermissionError");
  CAF_CHECK_EQUAL(security_status()["rate_limited"].get<int>(), 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
