#define CAF_SUITE client_actor
#include <caf/test/dsl.hpp>

#include "actor_fixture.hpp"
#include "holobroker/wire/requests.hpp"

using namespace holobroker;
using namespace holobroker::client;
using namespace std::chrono_literals;
using holobroker::test::code_of;
using wire::message_type;
using lk = transport::link_event_kind;

namespace {

operation_request read(std::string prop = "integration_time") {
  return read_property("spectrometer", std::move(prop));
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(client_actor_tests, holobroker::test::client_fixture)

CAF_TEST(handshake retries quickly while unroutable and uses a new id per attempt) {
  wire().next_result = transport::send_result::unroutable;
  auto c = spawn_client(sys, config(), factory);
  auto hs = ask<caf::timespan>(c, handshake_atom_v);
  sched.run();
  CAF_CHECK(wire().sent.empty());
  CAF_CHECK(!hs->done());
  // Backoff starts at 1 ms: the second attempt comes after 1 ms, not 500 ms.
  wire().next_result = transport::send_result::sent;
  advance(1ms);
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  auto first = wire().sent_request(0);
  CAF_CHECK(first.header.type == message_type::handshake);
  CAF_CHECK_EQUAL(first.header.sender_id, "test-client");
  CAF_CHECK_EQUAL(first.routing_id.to_string(), "test-server");
  // Not answered within handshake_resend_after: a fresh HANDSHAKE.
  advance(500ms);
  CAF_REQUIRE_EQUAL(wire().sent.size(), 2u);
  CAF_CHECK_NOT_EQUAL(wire().sent_request(1).header.message_id, first.header.message_id);
  wire().answer(1, message_type::handshake);
  wake();
  CAF_REQUIRE(hs->value);
  auto st = status(c);
  CAF_CHECK(st.handshake_done);
  CAF_CHECK_EQUAL(st.handshake_attempts, 3u);
  // The answer to the superseded attempt arrives late: expected, ignored;
  // a second one for the same id is a dropped reply.
  wire().answer(0, message_type::handshake);
  wake();
  CAF_CHECK_EQUAL(status(c).replies_dropped, 0u);
  wire().answer(0, message_type::handshake);
  wake();
  CAF_CHECK_EQUAL(status(c).replies_dropped, 1u);
}

CAF_TEST(a link-ready event triggers a handshake attempt at once) {
  auto cfg = config();
  cfg.handshake_retry_min = 50ms;
  wire().next_result = transport::send_result::unroutable;
  auto c = spawn_client(sys, cfg, factory);
  sched.run();
  wire().next_result = transport::send_result::sent;
  wire().link(lk::ready);
  wake_monitor();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  CAF_CHECK(wire().sent_request(0).header.type == message_type::handshake);
}

CAF_TEST(handshake timeout fails waiting requests with a connection error) {
  auto cfg = config();
  cfg.handshake_timeout = 2s;
  wire().next_result = transport::send_result::unroutable;
  auto c = spawn_client(sys, cfg, factory);
  auto hs = ask<caf::timespan>(c, handshake_atom_v);
  auto req = read();
  req.options.deadline = 10s;
  auto res = ask<operation_reply>(c, execute_atom_v, req);
  sched.run();
  advance(1s);
  CAF_CHECK(!res->done());
  advance(1s);
  CAF_REQUIRE(hs->error);
  CAF_CHECK(code_of(hs->error) == client_errc::connection);
  CAF_REQUIRE(res->error);
  CAF_CHECK(code_of(res->error) == client_errc::connection);
  auto text = describe(*res->error);
  CAF_CHECK(text.find("test-server") != std::string::npos);
  CAF_CHECK(text.find("test-client") != std::string::npos);
  CAF_CHECK(text.find("ipc:///tmp/nowhere.ipc") != std::string::npos);
  // Later requests fail at once instead of waiting.
  auto late = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_CHECK(code_of(late->error) == client_errc::connection);
}

CAF_TEST(a server appearing after a failed handshake is handshaked again) {
  auto cfg = config();
  cfg.handshake_timeout = 1s;
  wire().next_result = transport::send_result::unroutable;
  auto c = spawn_client(sys, cfg, factory);
  sched.run();
  advance(1s);
  CAF_CHECK(!status(c).handshake_done);
  wire().next_result = transport::send_result::sent;
  wire().link(lk::connected);
  wire().link(lk::ready);
  wake_monitor();
  CAF_REQUIRE(!wire().sent.empty());
  CAF_CHECK(wire().sent_request(wire().sent.size() - 1).header.type == message_type::handshake);
  wire().answer(wire().sent.size() - 1, message_type::handshake);
  wake();
  CAF_CHECK(status(c).handshake_done);
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  wire().answer(wire().sent.size() - 1, message_type::reply, "3");
  wake();
  CAF_REQUIRE(res->value);
  CAF_CHECK_EQUAL(res->value->payload.view(), "3");
}

CAF_TEST(a transport that cannot open yields a connection error) {
  factory->refuse = true;
  auto c = spawn_client(sys, config(), factory);
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_CHECK(code_of(res->error) == client_errc::connection);
}

CAF_TEST(requests sent before the handshake wait for it) {
  auto c = spawn_client(sys, config(), factory);
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u); // only the HANDSHAKE
  wire().answer(0, message_type::handshake);
  wake();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 2u);
  auto op = wire().sent_request(1);
  CAF_CHECK(op.header.type == message_type::operation);
  CAF_CHECK_EQUAL(op.header.thing_id, "spectrometer");
  CAF_CHECK_EQUAL(op.header.objekt, "integration_time");
  CAF_CHECK_EQUAL(op.header.operation, "readproperty");
  wire().answer(1, message_type::reply, "42");
  wake();
  CAF_REQUIRE(res->value);
  CAF_CHECK_EQUAL(res->value->payload.view(), "42");
  CAF_CHECK_EQUAL(res->value->message_id, op.header.message_id);
}

CAF_TEST(pipelined replies are matched by message id) {
  auto c = connected_client();
  auto a = ask<operation_reply>(c, execute_atom_v, read("a"));
  auto b = ask<operation_reply>(c, execute_atom_v, read("b"));
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 2u);
  auto first_is_a = wire().sent_request(0).header.objekt == "a";
  wire().answer(first_is_a ? 1 : 0, message_type::reply, "\"b\"");
  wire().answer(first_is_a ? 0 : 1, message_type::reply, "\"a\"");
  wake();
  CAF_REQUIRE(a->value);
  CAF_REQUIRE(b->value);
  CAF_CHECK_EQUAL(a->value->payload.view(), "\"a\"");
  CAF_CHECK_EQUAL(b->value->payload.view(), "\"b\"");
  CAF_CHECK_EQUAL(status(c).replies_matched, 2u);
}

CAF_TEST(deadline expiry fails the request and the late reply is dropped) {
  auto c = connected_client();
  auto req = read();
  req.options.deadline = 3s;
  auto res = ask<operation_reply>(c, execute_atom_v, req);
  sched.run();
  advance(2999ms);
  CAF_CHECK(!res->done());
  advance(1ms);
  CAF_REQUIRE(res->error);
  CAF_CHECK(code_of(res->error) == client_errc::timeout);
  CAF_CHECK(describe(*res->error).find(wire().sent_request(0).header.message_id)
            != std::string::npos);
  wire().answer(0, message_type::reply, "1");
  wake();
  auto st = status(c);
  CAF_CHECK_EQUAL(st.replies_dropped, 1u);
  CAF_CHECK_EQUAL(st.deadline_expired, 1u);
  CAF_CHECK_EQUAL(st.in_flight, 0u);
}

CAF_TEST(each request expires at its own deadline and completed requests never time out) {
  // Deadlines 100 ms .. 1200 ms in a scrambled order: the first request
  // (800 ms) arms the client's one deadline timer, the second (100 ms)
  // arrives later with an earlier deadline and must re-arm it; the timer
  // armed for 800 ms then fires stale. Every third request is answered at
  // once and must never see a timeout.
  constexpr int n = 12;
  auto c = connected_client();
  std::vector<caf::timespan> deadline(n);
  std::vector<std::shared_ptr<holobroker::test::answer<operation_reply>>> res;
  for (int k = 0; k < n; ++k) {
    deadline[k] = caf::timespan{std::chrono::milliseconds{((k * 5 + 7) % n + 1) * 100}};
    auto req = read();
    req.options.deadline = deadline[k];
    res.push_back(ask<operation_reply>(c, execute_atom_v, req));
    sched.run();
  }
  CAF_REQUIRE_EQUAL(wire().sent.size(), static_cast<size_t>(n));
  auto answered = [](int k) { return k % 3 == 0; };
  for (int k = 0; k < n; ++k)
    if (answered(k))
      wire().answer(k, message_type::reply, std::to_string(k));
  wake();
  size_t expected_timeouts = 0;
  for (int step = 1; step <= n; ++step) {
    // Just before step * 100 ms: only the earlier deadlines have passed.
    advance(99ms);
    for (int k = 0; k < n; ++k)
      if (!answered(k) && deadline[k] == caf::timespan{step * 100ms})
        CAF_CHECK(!res[k]->done());
    advance(1ms);
    for (int k = 0; k < n; ++k) {
      CAF_MESSAGE("step " << step << " request " << k);
      if (answered(k)) {
        CAF_REQUIRE(res[k]->value);
        CAF_CHECK_EQUAL(res[k]->value->payload.view(), std::to_string(k));
        CAF_CHECK(!res[k]->error);
      } else if (deadline[k] <= caf::timespan{step * 100ms}) {
        CAF_REQUIRE(res[k]->error);
        CAF_CHECK(code_of(res[k]->error) == client_errc::timeout);
        CAF_CHECK(describe(*res[k]->error).find(wire().sent_request(k).header.message_id)
                  != std::string::npos);
      } else {
        CAF_CHECK(!res[k]->done());
      }
    }
    expected_timeouts = 0;
    for (int k = 0; k < n; ++k)
      expected_timeouts += !answered(k) && deadline[k] <= caf::timespan{step * 100ms};
    // Exactly one timeout per expired request, none for answered ones.
    CAF_CHECK_EQUAL(status(c).deadline_expired, expected_timeouts);
  }
  auto st = status(c);
  CAF_CHECK_EQUAL(st.deadline_expired, 8u);
  CAF_CHECK_EQUAL(st.replies_matched, 4u);
  CAF_CHECK_EQUAL(st.in_flight, 0u);
  // Nothing left to expire: the client is idle and stays consistent.
  advance(10s);
  CAF_CHECK_EQUAL(status(c).deadline_expired, 8u);
}

CAF_TEST(a request accepted later with an earlier deadline expires first) {
  auto c = connected_client();
  auto slow_req = read();
  slow_req.options.deadline = 5s;
  auto slow = ask<operation_reply>(c, execute_atom_v, slow_req);
  sched.run();
  advance(1s);
  auto fast_req = read();
  fast_req.options.deadline = 500ms; // due at 1.5 s, before the armed 5 s
  auto fast = ask<operation_reply>(c, execute_atom_v, fast_req);
  sched.run();
  advance(499ms);
  CAF_CHECK(!fast->done());
  advance(1ms);
  CAF_CHECK(code_of(fast->error) == client_errc::timeout);
  CAF_CHECK(!slow->done());
  advance(3499ms);
  CAF_CHECK(!slow->done());
  advance(1ms);
  CAF_CHECK(code_of(slow->error) == client_errc::timeout);
  CAF_CHECK_EQUAL(status(c).deadline_expired, 2u);
}

CAF_TEST(the default deadline is invokation plus execution timeout plus margin) {
  auto cfg = config();
  cfg.deadline_margin = 2s;
  auto c = connected_client(cfg);
  auto req = read(); // ObjectProxy defaults: 5 s + 5 s
  auto res = ask<operation_reply>(c, execute_atom_v, req);
  sched.run();
  advance(11999ms);
  CAF_CHECK(!res->done());
  advance(1ms);
  CAF_CHECK(code_of(res->error) == client_errc::timeout);
  // Without server timeouts: the connection's default deadline.
  cfg.default_deadline = 30s;
  auto c2 = connected_client(cfg);
  auto req2 = read();
  req2.options.server_context = {};
  auto res2 = ask<operation_reply>(c2, execute_atom_v, req2);
  sched.run();
  advance(29s);
  CAF_CHECK(!res2->done());
  advance(1s);
  CAF_CHECK(code_of(res2->error) == client_errc::timeout);
}

CAF_TEST(a duplicated reply and the stray TIMEOUT after INVALID_MESSAGE are dropped) {
  auto c = connected_client();
  auto a = ask<operation_reply>(c, execute_atom_v, read());
  auto b = ask<operation_reply>(c, execute_atom_v, read_property("nope", "x"));
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 2u);
  auto ia = wire().sent_request(0).header.thing_id == "spectrometer" ? 0u : 1u;
  auto ib = 1u - ia;
  wire().answer(ia, message_type::reply, "1");
  wire().answer(ia, message_type::reply, "1");
  wire().answer(ib, message_type::invalid_message,
                R"({"exception":{"message":"thing nope not found","type":"KeyError","traceback":["NoneType: None"],"notes":null}})");
  wire().answer(ib, message_type::timeout, "\"invokation\"");
  wake();
  CAF_CHECK(a->value);
  CAF_REQUIRE(b->error);
  CAF_CHECK(code_of(b->error) == client_errc::invalid_message);
  auto ex = remote_exception_of(*b->error);
  CAF_REQUIRE(ex);
  CAF_CHECK_EQUAL(ex->type, "KeyError");
  CAF_CHECK_EQUAL(status(c).replies_dropped, 2u);
}

CAF_TEST(remote exceptions carry type message and traceback) {
  auto c = connected_client();
  auto res = ask<operation_reply>(c, execute_atom_v,
                                  invoke_action("spectrometer", "fail",
                                                wire::shared_bytes::copy_of("{}")));
  sched.run();
  wire().answer(0, message_type::exception,
                R"({"exception":{"message":"boom","type":"ValueError","traceback":["Traceback","line 2"],"notes":null}})");
  wake();
  CAF_REQUIRE(res->error);
  CAF_CHECK(code_of(res->error) == client_errc::remote_exception);
  auto ex = remote_exception_of(*res->error);
  CAF_REQUIRE(ex);
  CAF_CHECK_EQUAL(ex->message, "boom");
  CAF_CHECK_EQUAL(ex->type, "ValueError");
  CAF_CHECK_EQUAL(ex->traceback.size(), 2u);
  CAF_CHECK_EQUAL(describe(*res->error), "remote_exception: ValueError: boom");
}

CAF_TEST(server timeouts name their kind) {
  auto c = connected_client();
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  wire().answer(0, message_type::timeout, "\"execution\"");
  wake();
  CAF_CHECK(code_of(res->error) == client_errc::server_timeout);
  CAF_CHECK_EQUAL(server_timeout_kind_of(*res->error), "execution");
}

CAF_TEST(beyond max in flight callers get busy) {
  auto cfg = config();
  cfg.max_in_flight = 2;
  auto c = connected_client(cfg);
  auto a = ask<operation_reply>(c, execute_atom_v, read());
  auto b = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  auto d = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_CHECK(code_of(d->error) == client_errc::busy);
  CAF_CHECK_EQUAL(wire().sent.size(), 2u);
  wire().answer(0, message_type::reply);
  wake();
  auto e = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_CHECK(!e->done());
  CAF_CHECK_EQUAL(wire().sent.size(), 3u);
  CAF_CHECK_EQUAL(status(c).busy_rejected, 1u);
}

CAF_TEST(on a shared connection a Thing at its own limit gets busy and the other Things do not) {
  auto cfg = config();
  thing_policy bounded;
  bounded.max_in_flight = 1;
  cfg.thing_policies["spectrometer"] = bounded;
  auto c = connected_client(cfg);
  auto a = ask<operation_reply>(c, execute_atom_v, read());
  auto b = ask<operation_reply>(c, execute_atom_v, read());
  auto other = ask<operation_reply>(c, execute_atom_v, read_property("motor", "position"));
  sched.run();
  CAF_CHECK(!a->done());
  CAF_CHECK(code_of(b->error) == client_errc::busy);
  CAF_CHECK(!other->done()); // sent: the motor has no bound of its own
  CAF_CHECK_EQUAL(wire().sent.size(), 2u);
  wire().answer(0, message_type::reply);
  wake();
  CAF_CHECK(a->value.has_value());
  auto again = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_CHECK(!again->done()); // room again once the first one ended
  CAF_CHECK_EQUAL(wire().sent.size(), 3u);
}

CAF_TEST(a Thing joining a connection gets its policy and a Thing leaving falls back to the defaults) {
  auto cfg = config();
  cfg.default_deadline = 30s;
  auto c = connected_client(cfg);
  thing_policy own;
  own.own_deadlines = true;
  own.default_deadline = 3s;
  own.deadline_margin = 1s;
  own.max_in_flight = 1;
  self->send(c, put_atom_v, std::string{"motor"}, own);
  sched.run();
  auto req = read_property("motor", "position");
  req.options.server_context = {}; // no server-side timeouts: the default deadline
  auto res = ask<operation_reply>(c, execute_atom_v, req);
  auto busy = ask<operation_reply>(c, execute_atom_v, req);
  sched.run();
  CAF_CHECK(code_of(busy->error) == client_errc::busy);
  advance(2999ms);
  CAF_CHECK(!res->done());
  advance(1ms);
  CAF_CHECK(code_of(res->error) == client_errc::timeout); // the motor's own 3 s
  self->send(c, delete_atom_v, std::string{"motor"});
  sched.run();
  auto later = ask<operation_reply>(c, execute_atom_v, req);
  auto unbounded = ask<operation_reply>(c, execute_atom_v, req);
  sched.run();
  CAF_CHECK(!unbounded->done()); // no per-Thing bound any more
  advance(29s);
  CAF_CHECK(!later->done()); // the connection's 30 s again
  advance(1s);
  CAF_CHECK(code_of(later->error) == client_errc::timeout);
}

CAF_TEST(send request and receive response with a bounded cache) {
  auto cfg = config();
  cfg.reply_cache_capacity = 2;
  auto c = connected_client(cfg);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = ask<std::string>(c, send_request_atom_v, read());
    sched.run();
    CAF_REQUIRE(id->value);
    ids.push_back(*id->value);
  }
  // Answer in send order: the first outcome is evicted by the third.
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      if (wire().sent_request(j).header.message_id == ids[i])
        wire().answer(j, message_type::reply, std::to_string(i));
  wake();
  auto st = status(c);
  CAF_CHECK_EQUAL(st.cached_replies, 2u);
  CAF_CHECK_EQUAL(st.cache_evictions, 1u);
  auto r0 = ask<operation_reply>(c, receive_response_atom_v, ids[0]);
  auto r2 = ask<operation_reply>(c, receive_response_atom_v, ids[2]);
  sched.run();
  CAF_CHECK(code_of(r0->error) == client_errc::unknown_message);
  CAF_REQUIRE(r2->value);
  CAF_CHECK_EQUAL(r2->value->payload.view(), "2");
  // Each outcome is received once.
  auto again = ask<operation_reply>(c, receive_response_atom_v, ids[2]);
  sched.run();
  CAF_CHECK(code_of(again->error) == client_errc::unknown_message);
}

CAF_TEST(receive response waits while the request is in flight) {
  auto c = connected_client();
  auto id = ask<std::string>(c, send_request_atom_v, read());
  sched.run();
  CAF_REQUIRE(id->value);
  auto res = ask<operation_reply>(c, receive_response_atom_v, *id->value);
  sched.run();
  CAF_CHECK(!res->done());
  wire().answer(0, message_type::reply, "7");
  wake();
  CAF_REQUIRE(res->value);
  CAF_CHECK_EQUAL(res->value->payload.view(), "7");
  CAF_CHECK_EQUAL(status(c).cached_replies, 0u);
}

CAF_TEST(a disconnect while busy fails in flight requests at once) {
  auto c = connected_client();
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  wire().link(lk::disconnected);
  wake_monitor();
  CAF_REQUIRE(res->error);
  CAF_CHECK(code_of(res->error) == client_errc::disconnected);
  CAF_CHECK_EQUAL(status(c).disconnects, 1u);
}

CAF_TEST(replies already received when the link breaks are not lost) {
  auto c = connected_client();
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  wire().answer(0, message_type::reply, "8"); // queued, no wake-up yet
  wire().link(lk::disconnected);
  wake_monitor();
  CAF_REQUIRE(res->value);
  CAF_CHECK_EQUAL(res->value->payload.view(), "8");
}

CAF_TEST(a disconnect while idle does not fail the next request) {
  auto c = connected_client();
  wire().link(lk::disconnected);
  wake_monitor();
  // The request waits for the reconnect instead of failing.
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_CHECK(!res->done());
  CAF_CHECK(wire().sent.empty());
  wire().link(lk::connected);
  wire().link(lk::ready);
  wake_monitor();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  wire().answer(0, message_type::reply, "5");
  wake();
  CAF_REQUIRE(res->value);
  CAF_CHECK_EQUAL(res->value->payload.view(), "5");
}

CAF_TEST(requests while disconnected fail fast when configured) {
  auto cfg = config();
  cfg.wait_for_reconnect = false;
  auto c = connected_client(cfg);
  wire().link(lk::disconnected);
  wake_monitor();
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_CHECK(code_of(res->error) == client_errc::disconnected);
}

CAF_TEST(waiting for the reconnect ends at the deadline) {
  auto c = connected_client();
  wire().link(lk::disconnected);
  wake_monitor();
  auto req = read();
  req.options.deadline = 1s;
  auto res = ask<operation_reply>(c, execute_atom_v, req);
  sched.run();
  advance(1s);
  CAF_CHECK(code_of(res->error) == client_errc::timeout);
  CAF_CHECK(wire().sent.empty());
}

CAF_TEST(idempotent reads are retried once after the reconnect when configured) {
  auto cfg = config();
  cfg.thing_policies["spectrometer"].retry_reads_after_reconnect = true;
  auto c = connected_client(cfg);
  auto rd = ask<operation_reply>(c, execute_atom_v, read());
  auto wr = ask<operation_reply>(c, execute_atom_v,
                                 write_property("spectrometer", "integration_time",
                                                wire::shared_bytes::copy_of("3")));
  auto other = ask<operation_reply>(c, execute_atom_v, read_property("motor", "position"));
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 3u);
  wire().link(lk::disconnected);
  wake_monitor();
  CAF_CHECK(!rd->done());
  CAF_CHECK(code_of(wr->error) == client_errc::disconnected);
  CAF_CHECK(code_of(other->error) == client_errc::disconnected);
  wire().link(lk::ready);
  wake_monitor();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 4u);
  auto resent = wire().sent_request(3);
  CAF_CHECK_EQUAL(resent.header.objekt, "integration_time");
  CAF_CHECK_EQUAL(resent.header.operation, "readproperty");
  wire().answer(3, message_type::reply, "9");
  wake();
  CAF_REQUIRE(rd->value);
  CAF_CHECK_EQUAL(rd->value->payload.view(), "9");
  // Only once: a second disconnect fails it.
  auto rd2 = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  wire().link(lk::disconnected);
  wake_monitor();
  CAF_CHECK(!rd2->done());
  wire().link(lk::ready);
  wake_monitor();
  wire().link(lk::disconnected);
  wake_monitor();
  CAF_CHECK(code_of(rd2->error) == client_errc::disconnected);
}

CAF_TEST(oneway answers with the message id once sent) {
  auto c = connected_client();
  auto res = ask<std::string>(c, oneway_atom_v,
                              invoke_action("spectrometer", "acquire",
                                            wire::shared_bytes::copy_of("{}")));
  sched.run();
  CAF_REQUIRE(res->value);
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  auto req = wire().sent_request(0);
  CAF_CHECK(req.header.server_context.oneway);
  CAF_CHECK_EQUAL(req.header.message_id, *res->value);
  CAF_CHECK_EQUAL(status(c).in_flight, 0u);
}

CAF_TEST(malformed requests are rejected before sending) {
  auto c = connected_client();
  auto req = read();
  req.payload = wire::empty_frame();
  auto res = ask<operation_reply>(c, execute_atom_v, req);
  sched.run();
  CAF_CHECK(code_of(res->error) == client_errc::bad_request);
  CAF_CHECK(wire().sent.empty());
}

CAF_TEST(a list or null objekt and the content types go out byte for byte) {
  auto c = connected_client();
  // As raw hololinked clients send it (golden ipc-readmultipleproperties-objekt-list.json).
  operation_request many;
  many.thing_id = "test-thing";
  many.objekt_json = R"(["number_prop","string_prop"])";
  many.operation = "readmultipleproperties";
  auto res = ask<operation_reply>(c, execute_atom_v, many);
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  auto id = wire().sent_request(0).header.message_id;
  CAF_CHECK_EQUAL(wire().sent[0][2].to_string(),
                  R"({"messageType":"OPERATION","messageID":")" + id
                    + R"(","senderID":"test-client","receiverID":"test-server",)"
                      R"("serverExecutionContext":{"invokation_timeout":5.0,"execution_timeout":5.0},)"
                      R"("thingExecutionContext":{"fetch_execution_logs":false},)"
                      R"("thingID":"test-thing","objekt":["number_prop","string_prop"],)"
                      R"("operation":"readmultipleproperties",)"
                      R"("payloadContentType":"application/json",)"
                      R"("preencodedPayloadContentType":"text/plain"})");
  wire().answer(0, message_type::reply, R"({"number_prop":2.5,"string_prop":"hello"})");
  wake();
  CAF_REQUIRE(res->value);
  CAF_CHECK_EQUAL(res->value->payload.view(), R"({"number_prop":2.5,"string_prop":"hello"})");
  // readallproperties with objekt null.
  operation_request all;
  all.thing_id = "test-thing";
  all.objekt_json = "null";
  all.operation = "readallproperties";
  ask<operation_reply>(c, execute_atom_v, all);
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 2u);
  CAF_CHECK(wire().sent[1][2].view().find(R"(,"objekt":null,"operation":"readallproperties",)")
            != std::string_view::npos);
  // A msgpack payload keeps its label and its bytes (the same buffer, not a copy).
  auto msgpack = wire::shared_bytes::copy_of(std::string{"\x81\xa5value\x05", 8});
  auto echo = invoke_action("test-thing", "action_echo", msgpack);
  echo.payload_content_type = "application/msgpack";
  echo.preserialized = wire::shared_bytes::copy_of(std::string{"\x00\x01", 2});
  echo.preencoded_payload_content_type = "application/octet-stream";
  ask<operation_reply>(c, execute_atom_v, echo);
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 3u);
  const auto& frames = wire().sent[2];
  CAF_CHECK(frames[2].view().find(R"("objekt":"action_echo","operation":"invokeaction",)"
                                  R"("payloadContentType":"application/msgpack",)"
                                  R"("preencodedPayloadContentType":"application/octet-stream"})")
            != std::string_view::npos);
  CAF_CHECK(frames[3].data() == msgpack.data());
  CAF_CHECK_EQUAL(frames[3].size(), 8u);
  CAF_CHECK(frames[4] == std::string_view("\x00\x01", 2));
}

CAF_TEST(an objekt that is neither a string a list nor null is refused before sending) {
  auto c = connected_client();
  auto req = read();
  req.objekt_json = R"({"names":["a"]})";
  auto res = ask<operation_reply>(c, execute_atom_v, req);
  sched.run();
  CAF_REQUIRE(res->error);
  CAF_CHECK(code_of(res->error) == client_errc::bad_request);
  CAF_CHECK(describe(*res->error).find("objekt") != std::string::npos);
  CAF_CHECK(wire().sent.empty());
}

CAF_TEST(unparsable replies are dropped and counted) {
  auto c = connected_client();
  wire().inbox.push_back({wire::shared_bytes::copy_of("test-server"),
                          wire::shared_bytes::copy_of("not json")});
  wake();
  CAF_CHECK_EQUAL(status(c).replies_dropped, 1u);
}

CAF_TEST(shutting down fails pending requests with closed) {
  auto c = connected_client();
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_REQUIRE(res->error);
  CAF_CHECK(code_of(res->error) == client_errc::closed);
  CAF_CHECK(!wire().open);
}

CAF_TEST(dropping every handle during the handshake closes the socket at once) {
  // The contract of client_actor.hpp: the handles of its users alone keep a
  // client alive; its helpers and timers do not (before, the handshake
  // actor kept it and its socket until the handshake timeout, 60 s).
  auto baseline = sys.registry().running();
  wire().next_result = transport::send_result::unroutable; // no server yet
  std::optional<client_actor> c = spawn_client(sys, config(), factory);
  auto hs = ask<caf::timespan>(c.value(), handshake_atom_v);
  auto res = ask<operation_reply>(c.value(), execute_atom_v, read());
  auto split = ask<std::string>(c.value(), send_request_atom_v, read());
  auto pinged = ask<caf::timespan>(c.value(), ping_atom_v);
  sched.run();
  advance(10ms); // a few HANDSHAKE retries: timers are pending
  CAF_REQUIRE(wire().open);
  CAF_REQUIRE(split->value);
  CAF_CHECK(!res->done());
  CAF_CHECK(!hs->done());
  c.reset();
  sched.run(); // no time passes
  CAF_CHECK(!wire().open);
  CAF_REQUIRE(res->error);
  CAF_CHECK(code_of(res->error) == client_errc::closed);
  CAF_REQUIRE(hs->error);
  CAF_CHECK(code_of(hs->error) == client_errc::closed);
  // The ping could not be sent (unroutable): it failed at once.
  CAF_CHECK(code_of(pinged->error) == client_errc::disconnected);
  // The monitor and the timer relay went with it; their timers fire into
  // nothing.
  CAF_CHECK_EQUAL(sys.registry().running(), baseline);
  advance(61s);
  CAF_CHECK_EQUAL(sys.registry().running(), baseline);
}

CAF_TEST(dropping every handle of a ready client fails its requests with closed) {
  auto baseline = sys.registry().running();
  std::optional<client_actor> c = connected_client();
  auto res = ask<operation_reply>(c.value(), execute_atom_v, read());
  auto pinged = ask<caf::timespan>(c.value(), ping_atom_v);
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 2u);
  c.reset();
  sched.run();
  CAF_CHECK(!wire().open);
  CAF_CHECK(code_of(res->error) == client_errc::closed);
  CAF_CHECK(code_of(pinged->error) == client_errc::closed);
  CAF_CHECK_EQUAL(sys.registry().running(), baseline);
}

CAF_TEST(timers of a finished handshake change nothing) {
  auto cfg = config();
  cfg.handshake_timeout = 2s;
  auto c = connected_client(cfg); // resend timer (500 ms) and timeout (2 s) still pending
  advance(3s);
  auto st = status(c);
  CAF_CHECK(st.handshake_done);
  CAF_CHECK_EQUAL(st.handshake_attempts, 1u);
  CAF_CHECK(wire().sent.empty()); // no resend after the answer
  auto res = ask<operation_reply>(c, execute_atom_v, read());
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  wire().answer(0, message_type::reply, "1");
  wake();
  CAF_CHECK(res->value);
}

CAF_TEST(a second handshake run after a failed one has its own timeout) {
  auto cfg = config();
  cfg.handshake_timeout = 1s;
  wire().next_result = transport::send_result::unroutable;
  auto c = spawn_client(sys, cfg, factory);
  sched.run();
  advance(1s); // run 1 failed
  advance(200ms);
  wire().link(lk::connected); // still unroutable: run 2 retries
  wake_monitor();
  auto hs = ask<caf::timespan>(c, handshake_atom_v);
  sched.run();
  advance(999ms);
  CAF_CHECK(!hs->done());
  advance(1ms);
  CAF_REQUIRE(hs->error);
  CAF_CHECK(code_of(hs->error) == client_errc::connection);
  CAF_CHECK(!status(c).handshake_done);
}

CAF_TEST(ping measures a HANDSHAKE round trip) {
  auto c = connected_client();
  auto p = ask<caf::timespan>(c, ping_atom_v);
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  CAF_CHECK(wire().sent_request(0).header.type == message_type::handshake);
  wire().answer(0, message_type::handshake);
  wake();
  CAF_CHECK(p->value);
  auto lost = ask<caf::timespan>(c, ping_atom_v);
  sched.run();
  advance(5s);
  CAF_CHECK(code_of(lost->error) == client_errc::timeout);
}

CAF_TEST_FIXTURE_SCOPE_END()
