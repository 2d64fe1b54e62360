#define CAF_SUITE daemon_requests
#include <caf/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/event.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/zmq/multipart_io.hpp"
#include "holobroker/wire/timeout.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;

namespace {

std::string exception_type(const wire::response& r) {
  auto ex = wire::parse_remote_exception(r.payload.view());
  return ex ? ex->type : std::string{"<not an exception payload>"};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(daemon_requests_tests, fleet_fixture)

CAF_TEST(a raw hololinked client reads a property through the broker over IPC) {
  start_sim();
  start_daemon(sim_thing("spectrometer") + sim_thing("motor"));
  auto c = client("raw-client-ipc");
  auto req = op(*c, "spectrometer", "integration_time", "readproperty");
  auto r = c->call("holobroker", req);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(r->header.message_id, req.header.message_id);
  CAF_CHECK_EQUAL(r->header.sender_id, "holobroker");
  CAF_CHECK_EQUAL(r->header.receiver_id, "raw-client-ipc");
  CAF_CHECK_EQUAL(json::parse(r->payload.view()), json(10.0));
  // A write and a read on the other Thing of the same server.
  auto w = c->call("holobroker", op(*c, "motor", "position", "writeproperty", "12.5"));
  CAF_REQUIRE(w.has_value());
  CAF_CHECK(w->header.type == wire::message_type::reply);
  auto p = c->call("holobroker", op(*c, "motor", "position", "readproperty"));
  CAF_REQUIRE(p.has_value());
  CAF_CHECK_EQUAL(json::parse(p->payload.view()), json(12.5));
}

CAF_TEST(errors reach the client as the reply types of the real server) {
  start_sim();
  start_daemon(sim_thing("spectrometer", "IPC", "    deadline: 300ms\n"));
  auto c = client("raw-client-errors");
  // The Thing raises: EXCEPTION with the Thing's exception.
  auto fail = c->call("holobroker", op(*c, "spectrometer", "fail", "invokeaction", "{}"));
  CAF_REQUIRE(fail.has_value());
  CAF_CHECK(fail->header.type == wire::message_type::exception);
  CAF_CHECK_EQUAL(exception_type(*fail), "ValueError");
  // Unknown Thing: INVALID_MESSAGE KeyError, and no stray TIMEOUT afterwards.
  auto unknown = op(*c, "no-such-thing", "x", "readproperty");
  auto u = c->call("holobroker", unknown);
  CAF_REQUIRE(u.has_value());
  CAF_CHECK(u->header.type == wire::message_type::invalid_message);
  CAF_CHECK_EQUAL(exception_type(*u), "KeyError");
  // The broker's deadline (the Thing's `deadline: 300ms`; the request arms no
  // server-side timeout): TIMEOUT, as a hololinked client expects it.
  wire::server_execution_context no_timeouts;
  auto slow = test::operation(c->identity(), "holobroker", "spectrometer", "sleep", "invokeaction",
                              R"({"seconds":1.0})", no_timeouts);
  auto t = c->call("holobroker", slow);
  CAF_REQUIRE(t.has_value());
  CAF_CHECK(t->header.type == wire::message_type::timeout);
  CAF_CHECK(wire::parse_timeout_payload(t->payload.view()).has_value());
  // The server's own execution timeout: its TIMEOUT "execution", passed on.
  wire::server_execution_context short_exec;
  short_exec.invokation_timeout = 5.0;
  short_exec.execution_timeout = 0.2;
  auto sleepy = test::operation(c->identity(), "holobroker", "spectrometer", "sleep",
                                "invokeaction", R"({"seconds":0.5})", short_exec);
  auto st = c->call("holobroker", sleepy);
  CAF_REQUIRE(st.has_value());
  CAF_CHECK(st->header.type == wire::message_type::timeout);
  CAF_CHECK_EQUAL(st->payload.view(), "\"execution\"");
  CAF_CHECK(!c->await(unknown.header.message_id, std::chrono::milliseconds{200}));
  // Wrong frame count: INVALID_MESSAGE from the broker itself.
  auto four = wire::craft_request("holobroker", op(*c, "spectrometer", "count", "readproperty"));
  four.pop_back();
  c->send(four);
  auto inv = c->recv(std::chrono::seconds{5});
  CAF_REQUIRE(inv.has_value());
  auto inv_res = wire::parse_response(*inv);
  CAF_REQUIRE(inv_res.has_value());
  CAF_CHECK(inv_res->header.type == wire::message_type::invalid_message);
}

CAF_TEST(oneway requests are forwarded and not answered) {
  start_sim();
  start_daemon(sim_thing("spectrometer"));
  auto c = client("raw-client-oneway");
  wire::server_execution_context ctx = wire::default_operation_context();
  ctx.oneway = true;
  auto w = test::operation(c->identity(), "holobroker", "spectrometer", "count", "writeproperty",
                           "7", ctx);
  c->send(wire::craft_request("holobroker", w));
  auto none = c->await(w.header.message_id, std::chrono::milliseconds{300});
  if (none)
    CAF_MESSAGE("unexpected answer: " << wire::to_string(none->header.type) << " "
                                      << none->payload.view());
  CAF_CHECK(!none);
  auto r = c->call("holobroker", op(*c, "spectrometer", "count", "readproperty"));
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->payload.view(), "7");
}

CAF_TEST(over TCP with the Thing served on TCP too) {
  start_sim({"--tcp", "127.0.0.1:0", "--no-ipc"});
  auto sim_tcp = sim->address("thing-sim", "tcp").request;
  start_daemon(sim_thing("spectrometer", sim_tcp),
               "  frontend:\n    ipc: false\n    tcp: tcp://127.0.0.1:0\n");
  auto c = client("raw-client-tcp", "tcp");
  auto r = c->call("holobroker", op(*c, "spectrometer", "serial_number", "readproperty"));
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->header.type == wire::message_type::reply);
  CAF_CHECK_EQUAL(json::parse(r->payload.view()), json("SIM-SPEC-0001"));
  // Events over TCP too: the publisher listens next to the TCP front end.
  zmq::socket_t sub{ctx, zmq::socket_type::sub};
  sub.set(zmq::sockopt::linger, 0);
  sub.connect(daemon->events("tcp"));
  sub.set(zmq::sockopt::subscribe, "spectrometer/integration_time_change_event");
  std::optional<wire::event> ev;
  for (int i = 0; i < 50 && !ev; ++i) {
    // Writes until the subscription has made it upstream (PUB/SUB has no ack).
    CAF_REQUIRE(c->call("holobroker", op(*c, "spectrometer", "integration_time", "writeproperty",
                                         std::to_string(100 + i))));
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds{100}) > 0)
      if (auto frames = zmqio::recv_multipart(sub))
        if (auto parsed = wire::parse_event(*frames))
          ev = std::move(*parsed);
  }
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->topic, "spectrometer/integration_time_change_event");
}

CAF_TEST(the broker answers its own actions) {
  start_sim();
  start_daemon(sim_thing("spectrometer") + sim_thing("motor"));
  auto c = client("raw-client-introspection");
  // Make some traffic first.
  for (int i = 0; i < 5; ++i)
    CAF_REQUIRE(c->call("holobroker", op(*c, "spectrometer", "count", "readproperty")));
  auto ping = c->call("holobroker", op(*c, "holobroker", "ping", "invokeaction", "{}"));
  CAF_REQUIRE(ping.has_value());
  CAF_CHECK_EQUAL(ping->payload.view(), "null");
  auto things = c->call("holobroker", op(*c, "holobroker", "things", "invokeaction", "{}"));
  CAF_REQUIRE(things.has_value());
  auto tj = json::parse(things->payload.view());
  CAF_REQUIRE_EQUAL(tj.size(), 2u);
  CAF_CHECK_EQUAL(tj[0]["id"], "motor");
  CAF_CHECK_EQUAL(tj[1]["id"], "spectrometer");
  CAF_CHECK_EQUAL(tj[1]["state"], "connected");
  CAF_CHECK_EQUAL(tj[1]["server_id"], "thing-sim");
  CAF_CHECK_EQUAL(tj[1]["address"], sim->address("thing-sim", "ipc").request);
  auto status = c->call("holobroker", op(*c, "holobroker", "status", "invokeaction", "{}"));
  CAF_REQUIRE(status.has_value());
  auto sj = json::parse(status->payload.view());
  CAF_CHECK_EQUAL(sj["broker"]["id"], "holobroker");
  auto spec = sj["things"][1];
  CAF_CHECK_EQUAL(spec["id"], "spectrometer");
  CAF_CHECK_EQUAL(spec["requests"], 5);
  CAF_CHECK_EQUAL(spec["replies"], 5);
  CAF_CHECK(spec["latency_ms"]["p50"].get<double>() > 0);
  CAF_CHECK(spec["latency_ms"]["p99"].get<double>() >= spec["latency_ms"]["p50"].get<double>());
  CAF_CHECK(spec["connection"]["replies_matched"].get<int>() >= 5);
}

CAF_TEST(the thing description points at the broker) {
  start_sim();
  start_daemon(sim_thing("spectrometer"));
  auto c = client("raw-client-td");
  auto r = c->call("holobroker",
                   op(*c, "spectrometer", "get_thing_description", "invokeaction",
                      R"({"ignore_errors":false,"protocol":"IPC","skip_names":[]})"));
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE(r->header.type == wire::message_type::reply);
  auto td = json::parse(r->payload.view());
  auto front = daemon->frontend("ipc");
  auto events = daemon->events("ipc");
  CAF_CHECK_EQUAL(td["properties"]["integration_time"]["forms"][0]["href"], front);
  CAF_CHECK_EQUAL(td["actions"]["acquire"]["forms"][0]["href"], front);
  CAF_CHECK_EQUAL(td["events"]["measurement"]["forms"][0]["href"], events);
  CAF_CHECK(r->payload.view().find("thing-sim.ipc") == std::string_view::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
