// Requests for a peer broker's Thing sent straight across to the peer's
// client actor (thing_route::remote, frontend_remote.cpp), under CAF's test
// coordinator: the relay is skipped, the bound and a lost link still end
// every request in exactly one answer naming the peer, and such requests
// never travel on the quick lane.
#define CAF_SUITE frontend_remote
#include <caf/test/dsl.hpp>

#include <chrono>

#include <nlohmann/json.hpp>

#include "broker_fixture.hpp"
#include "holobroker/wire/requests.hpp"

using namespace holobroker;
using namespace holobroker::test;
using namespace std::chrono_literals;

namespace {

/// What the front end waits for at most for the peer's camera.
constexpr auto bound = std::chrono::seconds{5};

struct fixture : broker_fixture {
  /// The local peer actor's stand-in (the relay) and the peer broker's own
  /// client actor of the camera (reached across in the daemon).
  std::shared_ptr<connection_script> relay_calls = std::make_shared<connection_script>();
  std::shared_ptr<connection_script> far_calls = std::make_shared<connection_script>();
  client::client_actor relay = spawn_fake_connection(sys, relay_calls);
  client::client_actor far = spawn_fake_connection(sys, far_calls);
  broker::frontend_actor frontend;

  fixture() {
    auto directory = fake_directory(connection, fleet_things);
    auto routes = directory.routes();
    client::thing_route camera{"camera", relay, "sim-b", "sim-b|holobroker|site-b"};
    camera.origin = "site-b";
    camera.remote = far;
    camera.remote_bound = bound;
    routes.emplace("camera", camera);
    auto fanin = broker::spawn_event_fanin(sys, std::make_shared<fake_publisher_socket>(pub));
    broker::frontend_config cfg;
    cfg.broker_id = "holobroker";
    frontend = broker::spawn_frontend(sys, cfg, std::make_shared<fake_frontend_socket>(front),
                                      spawn_fake_fleet(sys, fleet_calls, connection, fleet_things),
                                      fanin, client::thing_directory{2, std::move(routes)});
    sched.run();
  }

  std::string text_of(std::size_t i) { return std::string{sent_response(i).payload.view()}; }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(frontend_remote_tests, fixture)

CAF_TEST(a request for a Thing of a peer broker goes straight to the client actor of the peer and its answer back) {
  client_sends(from_client("c", op("c", "camera", "exposure")));
  CAF_REQUIRE_EQUAL(far_calls->seen.size(), 1u);
  CAF_CHECK_EQUAL(far_calls->seen[0].objekt, "exposure");
  CAF_CHECK(relay_calls->calls.empty());
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  auto res = sent_response(0);
  CAF_CHECK(res.header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(text_of(0), "42");
  // Oneway requests take the same way.
  client_sends(from_client("c", oneway_write("c", "camera", "gain")));
  CAF_REQUIRE_EQUAL(far_calls->oneway.size(), 1u);
  CAF_CHECK(relay_calls->calls.empty());
  CAF_CHECK_EQUAL(front->sent.size(), 1u);
}

CAF_TEST(a request in flight across fails at once naming the peer when the link drops and is answered once) {
  client_sends(from_client("c", op("c", "camera", "hang")));
  CAF_REQUIRE_EQUAL(far_calls->held.size(), 1u);
  CAF_REQUIRE_EQUAL(front->sent.size(), 0u);
  // What CAF does to the proxies of a peer whose connection dropped.
  caf::anon_send_exit(far, caf::exit_reason::remote_link_unreachable);
  sched.run();
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  CAF_CHECK(sent_response(0).header.type == wire::message_type::exception);
  CAF_CHECK(text_of(0).find("lost peer broker 'site-b'") != std::string::npos);
  CAF_CHECK(text_of(0).find("ConnectionAbortedError") != std::string::npos);
  // The request's bound passes later: nothing is answered twice.
  advance_time(bound + 1s);
  sched.run();
  CAF_CHECK_EQUAL(front->sent.size(), 1u);
  // A request sent before the directory says the link is down meets the
  // dead proxy: it fails at once as well, naming the peer.
  client_sends(from_client("c", op("c", "camera", "exposure")));
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u);
  CAF_CHECK(sent_response(1).header.type == wire::message_type::exception);
  // (Monitoring the dead proxy reports it gone before the bounce arrives.)
  CAF_CHECK(text_of(1).find("lost peer broker 'site-b'") != std::string::npos);
  // Local Things are untouched by the peer's loss.
  client_sends(from_client("c", op("c", "motor", "position")));
  CAF_REQUIRE_EQUAL(front->sent.size(), 3u);
  CAF_CHECK(sent_response(2).header.type == wire::message_type::reply);
}

CAF_TEST(a Thing of a peer broker that does not answer within its bound ends in a timeout) {
  client_sends(from_client("c", op("c", "camera", "hang")));
  CAF_REQUIRE_EQUAL(far_calls->held.size(), 1u);
  advance_time(bound - 1ms);
  sched.run();
  CAF_CHECK_EQUAL(front->sent.size(), 0u);
  advance_time(1ms);
  sched.run();
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  CAF_CHECK(sent_response(0).header.type == wire::message_type::timeout);
  // The peer's late answer is dropped: one answer per request.
  caf::anon_send(far, client::receive_response_atom_v, std::string{"release:0"});
  sched.run();
  CAF_CHECK_EQUAL(front->sent.size(), 1u);
}

CAF_TEST(requests for a Thing of a peer broker never take the quick lane) {
  client_sends(from_client("lone", op("lone", "camera", "exposure")));
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  // Kept in a local: CAF_CHECK_EQUAL holds references to its operands.
  auto across = lanes_status()["quick_sent"].get<int>();
  CAF_CHECK_EQUAL(across, 0);
  // The same lone client at a local Thing does.
  client_sends(from_client("lone", op("lone", "motor", "position")));
  auto local = lanes_status()["quick_sent"].get<int>();
  CAF_CHECK_EQUAL(local, 1);
}

CAF_TEST(a route across without a bound goes through the peer actor) {
  // Built here: the fixture's camera has a bound.
  auto routes = fake_directory(connection, fleet_things).routes();
  client::thing_route lens{"lens", relay, "sim-b", "sim-b|holobroker|site-b"};
  lens.origin = "site-b";
  lens.remote = far; // no remote_bound: a frozen peer would hold it for good
  routes.emplace("lens", lens);
  auto fanin = broker::spawn_event_fanin(sys, std::make_shared<fake_publisher_socket>(pub));
  broker::frontend_config cfg;
  cfg.broker_id = "holobroker";
  auto other_front = std::make_shared<fake_wire_state>();
  auto fe = broker::spawn_frontend(sys, cfg, std::make_shared<fake_frontend_socket>(other_front),
                                   spawn_fake_fleet(sys, fleet_calls, connection, fleet_things),
                                   fanin, client::thing_directory{2, std::move(routes)});
  sched.run();
  other_front->inbound.push_back(from_client("c", op("c", "lens", "focus")));
  other_front->wake();
  sched.run();
  CAF_CHECK_EQUAL(relay_calls->seen.size(), 1u);
  CAF_CHECK(far_calls->seen.empty());
  CAF_CHECK_EQUAL(other_front->sent.size(), 1u);
  caf::anon_send_exit(fe, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST_FIXTURE_SCOPE_END()
