// The lanes requests travel on to their Thing (frontend_lanes.hpp), under
// CAF's test coordinator: a lone client's answer is not queued behind a
// neighbour's, and no client's requests are reordered on their way.
#define CAF_SUITE frontend_lanes
#include <caf/test/dsl.hpp>

#include <optional>

#include <nlohmann/json.hpp>

#include "broker/frontend_lanes.hpp"
#include "broker_fixture.hpp"
#include "holobroker/wire/requests.hpp"

using namespace holobroker;
using namespace holobroker::test;
using broker::frontend::quick_depth;

namespace {

struct fixture : broker_fixture {
  broker::frontend_actor frontend;

  fixture() {
    auto fanin = broker::spawn_event_fanin(sys, std::make_shared<fake_publisher_socket>(pub));
    broker::frontend_config cfg;
    cfg.broker_id = "holobroker";
    frontend = broker::spawn_frontend(sys, cfg, std::make_shared<fake_frontend_socket>(front),
                                      spawn_fake_fleet(sys, fleet_calls, connection, fleet_things),
                                      fanin, fake_directory(connection, fleet_things));
    sched.run();
  }

  /// The fake connection answers its held requests `ns` (in that order)
  /// before the front end runs, so that the answers wait in its mailbox
  /// together, as they do when the front end is busy.
  void answers_pile_up(std::initializer_list<std::size_t> ns) {
    for (auto n : ns)
      caf::anon_send(connection, client::receive_response_atom_v,
                     "release:" + std::to_string(n));
    while (sched.prioritize(connection))
      sched.run_once();
  }

  std::string receiver_of(std::size_t i) {
    return std::string{front->sent.at(i)[0].view()};
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(frontend_lanes_tests, fixture)

CAF_TEST(the answer to a lone client is written before the pending answers of a pipelining neighbour) {
  // The neighbour pipelines: its first quick_depth requests go on the quick
  // lane, the rest wait for them and then go on the normal lane.
  for (std::uint32_t i = 0; i < quick_depth + 2; ++i)
    client_sends(from_client("pipeliner", op("pipeliner", "motor", "hang")));
  CAF_CHECK_EQUAL(router_calls->seen.size(), quick_depth);
  for (std::uint32_t i = 0; i < quick_depth; ++i)
    release(i);
  CAF_REQUIRE_EQUAL(router_calls->seen.size(), quick_depth + 2);
  CAF_REQUIRE_EQUAL(front->sent.size(), quick_depth);
  // A client asking one thing at a time, at another Thing.
  client_sends(from_client("lone", op("lone", "spectrometer", "hang")));
  CAF_REQUIRE_EQUAL(router_calls->seen.size(), quick_depth + 3);
  // The neighbour's two answers come first, the lone client's last.
  answers_pile_up({quick_depth, quick_depth + 1, quick_depth + 2});
  sched.run();
  CAF_REQUIRE_EQUAL(front->sent.size(), quick_depth + 3);
  CAF_CHECK_EQUAL(receiver_of(quick_depth), "lone");
  CAF_CHECK_EQUAL(receiver_of(quick_depth + 1), "pipeliner");
  CAF_CHECK_EQUAL(receiver_of(quick_depth + 2), "pipeliner");
  auto lanes = lanes_status();
  CAF_CHECK_EQUAL(lanes["quick_sent"], quick_depth + 1); // the neighbour's first ones, the lone one
  CAF_CHECK_EQUAL(lanes["held"], 2);
  CAF_CHECK_EQUAL(lanes["pairs"], 0); // nothing outstanding: nothing remembered
}

CAF_TEST(a client with requests in flight elsewhere starts a Thing on the normal lane) {
  client_sends(from_client("busy", op("busy", "motor", "hang")));       // quick: was idle
  client_sends(from_client("busy", op("busy", "spectrometer", "hang"))); // normal: busy
  client_sends(from_client("lone", op("lone", "spectrometer", "hang"))); // quick
  answers_pile_up({1, 2});
  sched.run();
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u);
  CAF_CHECK_EQUAL(receiver_of(0), "lone");
  CAF_CHECK_EQUAL(receiver_of(1), "busy");
  release(0); // the fixture's fake holds its promises until released
  CAF_CHECK_EQUAL(front->sent.size(), 3u);
}

CAF_TEST(the requests of one client reach its Thing in the order sent across a lane change) {
  for (std::uint32_t i = 0; i < quick_depth; ++i)
    client_sends(from_client("c", op("c", "motor", "hang")));
  client_sends(from_client("c", oneway_write("c", "motor", "first")));
  client_sends(from_client("c", op("c", "motor", "second")));
  client_sends(from_client("c", oneway_write("c", "motor", "third")));
  // Held until the quick ones are answered.
  CAF_REQUIRE_EQUAL(router_calls->calls.size(), quick_depth);
  for (std::uint32_t i = 0; i < quick_depth; ++i)
    release(i);
  CAF_REQUIRE_EQUAL(router_calls->calls.size(), quick_depth + 3);
  const auto& calls = router_calls->calls;
  CAF_CHECK(calls[quick_depth].oneway);
  CAF_CHECK_EQUAL(calls[quick_depth].request.objekt, "first");
  CAF_CHECK(!calls[quick_depth + 1].oneway);
  CAF_CHECK_EQUAL(calls[quick_depth + 1].request.objekt, "second");
  CAF_CHECK(calls[quick_depth + 2].oneway);
  CAF_CHECK_EQUAL(calls[quick_depth + 2].request.objekt, "third");
  // Every request that is answered was answered once: the four held ones
  // and "second" (oneway requests never are).
  CAF_CHECK_EQUAL(front->sent.size(), quick_depth + 1);
  // Once idle the pair may take the quick lane again.
  client_sends(from_client("c", op("c", "motor", "again")));
  CAF_CHECK_EQUAL(router_calls->calls.size(), quick_depth + 4);
  CAF_CHECK_EQUAL(front->sent.size(), quick_depth + 2);
}

CAF_TEST(a held request that the drain fails never reaches its Thing and is answered once) {
  for (std::uint32_t i = 0; i < quick_depth + 1; ++i)
    client_sends(from_client("c", op("c", "motor", "hang")));
  CAF_REQUIRE_EQUAL(router_calls->seen.size(), quick_depth);
  std::optional<std::pair<uint64_t, uint64_t>> result;
  sys.spawn(
    [&](caf::event_based_actor* self, broker::frontend_actor fe) {
      self->request(fe, caf::infinite, broker::drain_atom_v, caf::timespan{std::chrono::seconds{1}})
        .then([&](uint64_t completed, uint64_t failed) { result.emplace(completed, failed); });
    },
    frontend);
  sched.run_once();
  sched.run();
  advance_time(std::chrono::seconds{1});
  sched.run();
  CAF_REQUIRE(result);
  CAF_CHECK_EQUAL(result->second, quick_depth + 1);
  CAF_CHECK_EQUAL(front->sent.size(), quick_depth + 1);
  for (std::uint32_t i = 0; i < quick_depth; ++i)
    release(i);
  CAF_CHECK_EQUAL(router_calls->seen.size(), quick_depth);
  CAF_CHECK_EQUAL(front->sent.size(), quick_depth + 1);
}

CAF_TEST(oneway requests held behind a slow Thing are bounded and the excess is counted) {
  using broker::frontend::max_held;
  for (std::uint32_t i = 0; i < quick_depth; ++i)
    client_sends(from_client("c", op("c", "motor", "hang")));
  for (std::size_t i = 0; i < max_held + 3; ++i)
    client_sends(from_client("c", oneway_write("c", "motor", "w" + std::to_string(i))));
  // An answered request beyond the bound is refused at once.
  client_sends(from_client("c", op("c", "motor", "late-read")));
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  auto refused = sent_response(0);
  CAF_CHECK(refused.header.type == wire::message_type::exception);
  CAF_CHECK(refused.payload.view().find("BlockingIOError") != std::string_view::npos);
  auto lanes = lanes_status();
  CAF_CHECK_EQUAL(lanes["held"], max_held);
  CAF_CHECK_EQUAL(lanes["refused"], 4);
  // The held ones go once the quick ones are answered, in order, and only they.
  for (std::uint32_t i = 0; i < quick_depth; ++i)
    release(i);
  CAF_REQUIRE_EQUAL(router_calls->oneway.size(), max_held);
  CAF_CHECK_EQUAL(router_calls->oneway.front().objekt, "w0");
  CAF_CHECK_EQUAL(router_calls->oneway.back().objekt, "w" + std::to_string(max_held - 1));
  auto after = lanes_status();
  CAF_CHECK_EQUAL(after["pairs"], 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
