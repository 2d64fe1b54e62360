#define CAF_SUITE frontend
#include <caf/test/dsl.hpp>

#include <set>

#include <nlohmann/json.hpp>

#include "broker/frontend_impl.hpp"
#include "broker_fixture.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/timeout.hpp"

using namespace holobroker;
using namespace holobroker::test;

namespace {

struct fixture : broker_fixture {
  broker::frontend_actor frontend;
  broker::fanin_actor fanin;

  fixture() {
    fanin = broker::spawn_event_fanin(sys, std::make_shared<fake_publisher_socket>(pub));
    broker::frontend_config cfg;
    cfg.broker_id = "holobroker";
    cfg.endpoints.request_ipc = "ipc:///run/hb/holobroker.ipc";
    cfg.endpoints.event_ipc = "ipc:///run/hb/holobroker.event-publisher.ipc";
    frontend = broker::spawn_frontend(sys, cfg, std::make_shared<fake_frontend_socket>(front),
                                      spawn_fake_fleet(sys, fleet_calls, connection, fleet_things),
                                      fanin, fake_directory(connection, fleet_things));
    sched.run();
  }

  nlohmann::json payload_json(std::size_t i) {
    return nlohmann::json::parse(sent_response(i).payload.view());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(frontend_tests, fixture)

CAF_TEST(a reply goes back to the identity that asked under its message id) {
  auto a = op("client-a", "spectrometer", "integration_time");
  auto b = op("client-b", "spectrometer", "integration_time");
  client_sends(from_client("client-a", a));
  client_sends(from_client("client-b", b));
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u);
  CAF_CHECK_EQUAL(front->sent[0][0].view(), "client-a");
  CAF_CHECK_EQUAL(front->sent[1][0].view(), "client-b");
  auto ra = sent_response(0);
  CAF_CHECK(ra.header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(ra.header.message_id, a.header.message_id);
  CAF_CHECK_EQUAL(ra.header.receiver_id, "client-a");
  CAF_CHECK_EQUAL(ra.header.sender_id, "holobroker");
  CAF_CHECK_EQUAL(ra.payload.view(), "42");
  CAF_CHECK_EQUAL(sent_response(1).header.message_id, b.header.message_id);
  // The Thing's connection saw the operation as the client sent it.
  CAF_REQUIRE_EQUAL(router_calls->seen.size(), 2u);
  CAF_CHECK_EQUAL(router_calls->seen[0].thing_id, "spectrometer");
  CAF_CHECK_EQUAL(router_calls->seen[0].objekt, "integration_time");
  CAF_CHECK_EQUAL(router_calls->seen[0].operation, "readproperty");
  CAF_CHECK(router_calls->seen[0].options.server_context == a.header.server_context);
}

CAF_TEST(a oneway request to the broker itself gets no reply like every oneway request) {
  // Found by fuzz_frontend: `ping` with oneway=true was answered.
  auto ctx = wire::default_operation_context();
  ctx.oneway = true;
  for (const char* action : {"ping", "things", "status"}) {
    auto req = wire::make_operation("c", "holobroker", "holobroker", action,
                                    wire::op::invoke_action, wire::null_payload(), ctx);
    client_sends(from_client("c", req));
  }
  // A oneway request is done when it is sent: a ping after it is answered.
  auto ping = wire::make_operation("c", "holobroker", "holobroker", "ping",
                                   wire::op::invoke_action);
  client_sends(from_client("c", ping));
  advance_time(std::chrono::seconds{30});
  sched.run();
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  CAF_CHECK_EQUAL(sent_response(0).header.message_id, ping.header.message_id);
}

CAF_TEST(handshake is answered by the broker itself) {
  auto hs = wire::make_handshake("client-a", "holobroker");
  client_sends(from_client("client-a", hs));
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  auto r = sent_response(0);
  CAF_CHECK(r.header.type == wire::message_type::handshake);
  CAF_CHECK_EQUAL(r.header.message_id, hs.header.message_id);
  CAF_CHECK(router_calls->seen.empty());
}

CAF_TEST(unknown thing is INVALID_MESSAGE KeyError and nothing else) {
  auto req = op("client-a", "nope", "x");
  client_sends(from_client("client-a", req));
  advance_time(std::chrono::seconds{30});
  sched.run();
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u); // no stray TIMEOUT as the real server sends
  auto r = sent_response(0);
  CAF_CHECK(r.header.type == wire::message_type::invalid_message);
  auto ex = wire::parse_remote_exception(r.payload.view());
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->type, "KeyError");
  CAF_CHECK_EQUAL(ex->message, "'nope'");
}

CAF_TEST(requests for unknown Things each get one KeyError and leave no per-Thing state) {
  // A client sending random thingIDs must not grow the broker's memory: they
  // are counted in one aggregate counter, never one entry per id.
  client_sends(from_client("c", op("c", "spectrometer", "x")));
  client_sends(from_client("c", op("c", "holobroker", "status", wire::op::invoke_action)));
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u);
  auto before = payload_json(1)["broker"];
  CAF_CHECK_EQUAL(before["things_counted"], 1);
  CAF_CHECK_EQUAL(before["unknown_thing"], 0);
  constexpr std::size_t n = 300;
  constexpr std::size_t oneway = 20;
  std::vector<std::string> message_ids;
  for (std::size_t i = 0; i < n; ++i) {
    auto req = op("c", "random-" + std::to_string(i), "x");
    message_ids.push_back(req.header.message_id);
    client_sends(from_client("c", req));
  }
  for (std::size_t i = 0; i < oneway; ++i) {
    auto req = op("c", "random-oneway-" + std::to_string(i), "x", wire::op::write_property);
    req.header.server_context.oneway = true;
    req.header.set_server_context(req.header.server_context);
    client_sends(from_client("c", req));
  }
  advance_time(std::chrono::seconds{30});
  sched.run();
  // Exactly one answer per (non-oneway) request, in order, naming its Thing.
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u + n);
  for (std::size_t i = 0; i < n; ++i) {
    auto r = sent_response(2 + i);
    CAF_CHECK(r.header.type == wire::message_type::invalid_message);
    CAF_CHECK_EQUAL(r.header.message_id, message_ids[i]);
    auto ex = wire::parse_remote_exception(r.payload.view());
    CAF_REQUIRE(ex.has_value());
    CAF_CHECK_EQUAL(ex->type, "KeyError");
    CAF_CHECK_EQUAL(ex->message, "'random-" + std::to_string(i) + "'");
  }
  CAF_CHECK(router_calls->calls.size() == 1u); // only the known Thing's request went on
  client_sends(from_client("c", op("c", "holobroker", "status", wire::op::invoke_action)));
  CAF_REQUIRE_EQUAL(front->sent.size(), 3u + n);
  auto after = payload_json(2 + n)["broker"];
  CAF_CHECK_EQUAL(after["things_counted"], 1);
  CAF_CHECK_EQUAL(after["unknown_thing"], n + oneway);
  CAF_CHECK_EQUAL(after["in_flight"], 0);
  // Nothing per client either (the status request itself is the one in flight).
  CAF_CHECK_EQUAL(after["security"]["clients_in_flight"], before["security"]["clients_in_flight"]);
}

CAF_TEST(errors map to the reply types hololinked clients understand) {
  client_sends(from_client("c", op("c", "spectrometer", "boom")));
  client_sends(from_client("c", op("c", "spectrometer", "late")));
  client_sends(from_client("c", op("c", "spectrometer", "lost")));
  client_sends(from_client("c", op("c", "spectrometer", "gone")));
  CAF_REQUIRE_EQUAL(front->sent.size(), 4u);
  auto boom = sent_response(0);
  CAF_CHECK(boom.header.type == wire::message_type::exception);
  auto ex = wire::parse_remote_exception(boom.payload.view());
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->type, "ValueError"); // the Thing's exception, unchanged
  CAF_CHECK_EQUAL(ex->message, "bad value");
  CAF_CHECK_EQUAL(ex->traceback.size(), 2u);
  auto late = sent_response(1);
  CAF_CHECK(late.header.type == wire::message_type::timeout);
  CAF_CHECK_EQUAL(late.payload.view(), "\"execution\"");
  auto lost = sent_response(2);
  CAF_CHECK(lost.header.type == wire::message_type::timeout);
  CAF_CHECK(wire::parse_timeout_payload(lost.payload.view()).has_value());
  auto gone = sent_response(3);
  CAF_CHECK(gone.header.type == wire::message_type::exception);
  auto gex = wire::parse_remote_exception(gone.payload.view());
  CAF_REQUIRE(gex.has_value());
  CAF_CHECK_EQUAL(gex->type, "ConnectionAbortedError");
}

CAF_TEST(wrong frame counts are INVALID_MESSAGE and bad headers are dropped) {
  auto req = op("c", "spectrometer", "x");
  auto four = from_client("c", req);
  four.pop_back();
  client_sends(four);
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  auto r = sent_response(0);
  CAF_CHECK(r.header.type == wire::message_type::invalid_message);
  auto ex = wire::parse_remote_exception(r.payload.view());
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->message, "message length 5 does not match the number of message parts 4");
  auto six = from_client("c", req);
  six.push_back(wire::empty_frame());
  client_sends(six);
  CAF_CHECK_EQUAL(front->sent.size(), 2u);
  // Not JSON, and fewer than 3 frames: dropped without a reply.
  auto bad = from_client("c", req);
  bad[2] = wire::shared_bytes::copy_of("{not json");
  client_sends(bad);
  client_sends({wire::shared_bytes::copy_of("c"), wire::empty_frame()});
  CAF_CHECK_EQUAL(front->sent.size(), 2u);
  CAF_CHECK(router_calls->seen.empty());
}

CAF_TEST(oneway requests are forwarded as oneway and not answered) {
  auto req = op("c", "motor", "position", wire::op::write_property);
  req.header.server_context.oneway = true;
  req.header.set_server_context(req.header.server_context);
  client_sends(from_client("c", req));
  CAF_CHECK(front->sent.empty());
  CAF_REQUIRE_EQUAL(router_calls->oneway.size(), 1u);
  CAF_CHECK_EQUAL(router_calls->oneway[0].objekt, "position");
  CAF_CHECK(router_calls->seen.empty());
}

CAF_TEST(requests of one client reach the connection of the Thing in the order sent whatever their kind) {
  // The ordering contract: oneway and normal requests take one path
  // (front end -> the Thing's client actor), so a oneway write followed by
  // a read is never overtaken. Interleave many of both in one batch.
  std::vector<std::string> expected;
  for (int i = 0; i < 50; ++i) {
    auto set = op("c", "motor", "set_" + std::to_string(i), wire::op::invoke_action);
    set.header.server_context.oneway = true;
    set.header.set_server_context(set.header.server_context);
    front->inbound.push_back(from_client("c", set));
    expected.push_back("oneway set_" + std::to_string(i));
    front->inbound.push_back(from_client("c", op("c", "motor", "get_" + std::to_string(i),
                                                 wire::op::invoke_action)));
    expected.push_back("execute get_" + std::to_string(i));
  }
  front->wake();
  sched.run();
  std::vector<std::string> seen;
  for (const auto& call : router_calls->calls)
    seen.push_back((call.oneway ? "oneway " : "execute ") + call.request.objekt);
  CAF_CHECK_EQUAL(seen, expected);
  CAF_CHECK_EQUAL(front->sent.size(), 50u); // the 50 reads answered, the oneways not
}

CAF_TEST(a oneway request for an unknown Thing is dropped without an answer) {
  auto req = op("c", "nope", "position", wire::op::write_property);
  req.header.server_context.oneway = true;
  req.header.set_server_context(req.header.server_context);
  client_sends(from_client("c", req));
  CAF_CHECK(front->sent.empty());
  CAF_CHECK(router_calls->calls.empty());
}

CAF_TEST(introspection ping and things are answered by the broker) {
  client::client_status cs;
  cs.connected = true;
  cs.handshake_done = true;
  fleet_calls->things = {broker::thing_info{"motor", "sim", "ipc:///x.ipc",
                                            "ipc:///x.event-publisher.ipc",
                                            "holobroker|holobroker|motor", cs}};
  client_sends(from_client("c", op("c", "holobroker", "ping", wire::op::invoke_action)));
  client_sends(from_client("c", op("c", "holobroker", "things", wire::op::invoke_action)));
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u);
  CAF_CHECK_EQUAL(sent_response(0).payload.view(), "null");
  auto things = payload_json(1);
  CAF_REQUIRE_EQUAL(things.size(), 1u);
  CAF_CHECK_EQUAL(things[0]["id"], "motor");
  CAF_CHECK_EQUAL(things[0]["state"], "connected");
  CAF_CHECK(router_calls->seen.empty());
}

CAF_TEST(status counts requests and outcomes per Thing) {
  fleet_calls->things = {broker::thing_info{"spectrometer", "sim", "a", "", "", std::nullopt}};
  client_sends(from_client("c", op("c", "spectrometer", "x")));
  client_sends(from_client("c", op("c", "spectrometer", "boom")));
  client_sends(from_client("c", op("c", "spectrometer", "late")));
  client_sends(from_client("c", op("c", "holobroker", "status", wire::op::invoke_action)));
  CAF_REQUIRE_EQUAL(front->sent.size(), 4u);
  auto st = payload_json(3);
  CAF_CHECK_EQUAL(st["broker"]["id"], "holobroker");
  // Without federation the fleet has no peers to list.
  CAF_CHECK(st["peers"].is_array() && st["peers"].empty());
  auto& t = st["things"][0];
  CAF_CHECK_EQUAL(t["id"], "spectrometer");
  CAF_CHECK_EQUAL(t["requests"], 3);
  CAF_CHECK_EQUAL(t["replies"], 1);
  CAF_CHECK_EQUAL(t["exceptions"], 1);
  CAF_CHECK_EQUAL(t["timeouts"], 1);
  CAF_CHECK_EQUAL(t["in_flight"], 0);
  CAF_CHECK_EQUAL(t["latency_ms"]["samples"], 3);
  // The histogram counts every request since start, cumulatively per bound.
  auto& h = t["latency_histogram"];
  CAF_CHECK_EQUAL(h["count"], 3);
  CAF_REQUIRE_EQUAL(h["le_s"].size(), h["cumulative"].size());
  for (std::size_t i = 1; i < h["cumulative"].size(); ++i)
    CAF_CHECK_LESS_OR_EQUAL(h["cumulative"][i - 1].get<int>(), h["cumulative"][i].get<int>());
  CAF_CHECK_LESS_OR_EQUAL(h["cumulative"].back().get<int>(), 3);
  CAF_CHECK_GREATER_OR_EQUAL(h["sum_s"].get<double>(), 0.0);
  CAF_CHECK_EQUAL(st["broker"]["clients"], 1); // one identity: "c"
  CAF_CHECK_EQUAL(st["broker"]["reloads"], 0);
  CAF_CHECK(t["last_event_at"].is_null());
  CAF_CHECK(t["connection"].is_null()); // the connection did not answer the fleet
  CAF_CHECK_EQUAL(t["state"], "connecting");
}

CAF_TEST(status counts distinct client identities and the time of each Things last event) {
  fleet_calls->things = {broker::thing_info{"spectrometer", "sim", "a", "", "", std::nullopt}};
  auto ev = wire::make_event("sim", "spectrometer", "measurement",
                             wire::shared_bytes::copy_of(R"({"counts":[1]})"));
  caf::anon_send(fanin, broker::event_atom_v, ev);
  sched.run();
  client_sends(from_client("a", op("a", "spectrometer", "x")));
  client_sends(from_client("b", op("b", "holobroker", "status", wire::op::invoke_action)));
  CAF_REQUIRE_EQUAL(front->sent.size(), 2u);
  auto st = payload_json(1);
  CAF_CHECK_EQUAL(st["broker"]["clients"], 2);
  CAF_CHECK_EQUAL(st["broker"]["in_flight"], 0);
  CAF_CHECK(st["things"][0]["last_event_at"].is_number());
  CAF_CHECK_GREATER(st["things"][0]["last_event_at"].get<double>(), 1.6e9); // Unix time
}

CAF_TEST(last_event answers from the fan-in cache or names the missing topic) {
  auto ev = wire::make_event("sim", "spectrometer", "measurement",
                             wire::shared_bytes::copy_of(R"({"counts":[1,2]})"));
  caf::anon_send(fanin, broker::event_atom_v, ev);
  sched.run();
  auto ask = op("c", "holobroker", "last_event", wire::op::invoke_action);
  ask.payload = wire::shared_bytes::copy_of(R"({"thing":"spectrometer","event":"measurement"})");
  client_sends(from_client("c", ask));
  auto missing = op("c", "holobroker", "last_event", wire::op::invoke_action);
  missing.payload = wire::shared_bytes::copy_of(R"({"thing":"motor","event":"moved"})");
  client_sends(from_client("c", missing));
  auto no_args = op("c", "holobroker", "last_event", wire::op::invoke_action);
  no_args.payload = wire::shared_bytes::copy_of("{}");
  client_sends(from_client("c", no_args));
  CAF_REQUIRE_EQUAL(front->sent.size(), 3u);
  auto v = payload_json(0);
  CAF_CHECK_EQUAL(v["topic"], "spectrometer/measurement");
  CAF_CHECK_EQUAL(v["payload"]["counts"][1], 2);
  CAF_CHECK_EQUAL(v["message_id"], ev.header.message_id);
  CAF_CHECK(sent_response(1).header.type == wire::message_type::exception);
  CAF_CHECK(sent_response(2).header.type == wire::message_type::exception);
}

CAF_TEST(the thing description is rewritten to the broker addresses) {
  // The fake connection answers `42`, which is no TD: passed on unchanged.
  client_sends(
    from_client("c", op("c", "spectrometer", "get_thing_description", wire::op::invoke_action)));
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  CAF_CHECK_EQUAL(sent_response(0).payload.view(), "42");
}

CAF_TEST(drain lets requests in flight finish and fails the rest once) {
  client_sends(from_client("c", op("c", "spectrometer", "hang")));
  client_sends(from_client("c", op("c", "spectrometer", "hang")));
  CAF_REQUIRE_EQUAL(router_calls->held.size(), 2u);
  std::optional<std::pair<uint64_t, uint64_t>> result;
  sys.spawn(
    [&](caf::event_based_actor* self, broker::frontend_actor fe) {
      self->request(fe, caf::infinite, broker::drain_atom_v, caf::timespan{std::chrono::seconds{2}})
        .then([&](uint64_t completed, uint64_t failed) { result.emplace(completed, failed); });
    },
    frontend);
  sched.run_once();
  sched.run();
  // New requests are refused while draining.
  client_sends(from_client("c", op("c", "spectrometer", "x")));
  CAF_REQUIRE_EQUAL(front->sent.size(), 1u);
  CAF_CHECK(sent_response(0).header.type == wire::message_type::exception);
  // One finishes in time.
  release(0);
  CAF_CHECK(!result);
  // The grace period ends: the other one fails, the socket closes.
  advance_time(std::chrono::seconds{2});
  sched.run();
  CAF_REQUIRE(result);
  CAF_CHECK_EQUAL(result->first, 1u);
  CAF_CHECK_EQUAL(result->second, 1u);
  CAF_REQUIRE_EQUAL(front->sent.size(), 3u);
  CAF_CHECK(sent_response(1).header.type == wire::message_type::reply);
  auto failed = sent_response(2);
  CAF_CHECK(failed.header.type == wire::message_type::exception);
  CAF_CHECK(front->closed);
  // A late answer for the failed request is not sent a second time.
  release(1);
  CAF_CHECK_EQUAL(front->sent.size(), 3u);
}

CAF_TEST(a client that keeps the socket full does not hold back the replies of others) {
  // The measured client's request is held at its Thing while a flood of 300
  // requests waits in the socket.
  client_sends(from_client("measured", op("measured", "spectrometer", "hang")));
  CAF_REQUIRE_EQUAL(router_calls->held.size(), 1u);
  for (int i = 0; i < 300; ++i)
    front->inbound.push_back(
      from_client("flooder", op("flooder", "motor", "position")));
  front->wake();
  sched.run_once(); // one wake-up reads one bounded batch
  CAF_CHECK_EQUAL(front->inbound.size(),
                  300u - static_cast<std::size_t>(broker::frontend::read_batch));
  // The Thing answers the measured client now: that reply is written
  // before the rest of the flood is read.
  caf::anon_send(connection, client::receive_response_atom_v, std::string{"release:0"});
  sched.prioritize(connection);
  sched.run_once();
  std::optional<std::size_t> unread_when_answered;
  while (sched.try_run_once()) {
    if (unread_when_answered)
      continue;
    for (const auto& frames : front->sent)
      if (frames[0].view() == "measured")
        unread_when_answered = front->inbound.size();
  }
  CAF_REQUIRE(unread_when_answered.has_value());
  CAF_CHECK_GREATER(*unread_when_answered, 0u);
  // Every request still got exactly one reply.
  CAF_CHECK_EQUAL(front->sent.size(), 301u);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < front->sent.size(); ++i)
    ids.insert(sent_response(i).header.message_id);
  CAF_CHECK_EQUAL(ids.size(), 301u);
}

CAF_TEST_FIXTURE_SCOPE_END()
