// holobroker's client core (libbroker: client_actor via blocking_client,
// event_subscriber) against the REAL hololinked 0.4 server, over IPC and TCP.
#define CAF_SUITE interop_client_core
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "holobroker/client/client.hpp"
#include "interop_fixture.hpp"
#include "load_generator.hpp"
#include "support/event_collector.hpp"

using namespace holobroker;
using namespace holobroker::client;
using namespace holobroker::test::interop;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct core_fixture {
  core_fixture() {
    require_peer();
  }
  home_dir home;
  std::shared_ptr<transport::transport_factory> factory = transport::make_zmq_transport_factory();
  core_config cfg;
  caf::actor_system sys{cfg};

  client_config config(const std::string& address, const std::string& server_id) {
    client_config c;
    c.server_id = server_id;
    c.address = address;
    c.handshake_timeout = 30s;
    return c;
  }
};

request_options timeouts(double invokation, double execution) {
  request_options opts;
  opts.server_context.invokation_timeout = invokation;
  opts.server_context.execution_timeout = execution;
  return opts;
}

/// The JSON value of a reply, or {"error": description}.
json value_of(const blocking_client::result<operation_reply>& r) {
  if (!r)
    return json{{"error", describe(r.error())}};
  return json::parse(r->payload.view(), nullptr, false);
}

std::string remote_type_of(const blocking_client::result<operation_reply>& r) {
  if (r)
    return "no error";
  auto ex = remote_exception_of(r.error());
  return ex ? ex->type : "not a remote exception: " + describe(r.error());
}

std::string big_string() {
  std::string big(1 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4099)
    big[i] = static_cast<char>('a' + i % 26);
  return big;
}

/// Everything but timeouts and events against `thing` of a real server.
void check_operations(blocking_client& c, const std::string& thing, double number) {
  CAF_REQUIRE(c.wait_connected());
  CAF_CHECK_EQUAL(value_of(c.read_property(thing, "int_prop")), json(5));
  CAF_CHECK_EQUAL(value_of(c.write_property(thing, "number_prop", json(number).dump())),
                  json(nullptr));
  CAF_CHECK_EQUAL(value_of(c.read_property(thing, "number_prop")), json(number));
  json list = json::array({1, "two", 3.5, true, nullptr});
  CAF_CHECK_EQUAL(value_of(c.write_property(thing, "observable_list_prop", list.dump())),
                  json(nullptr));
  CAF_CHECK_EQUAL(value_of(c.read_property(thing, "observable_list_prop")), list);
  json obj = {{"a", list}, {"b", {{"c", "ü"}}}};
  CAF_CHECK_EQUAL(value_of(c.invoke_action(thing, "action_echo", json{{"value", obj}}.dump())),
                  obj);
  // Positional arguments travel under "__args__".
  CAF_CHECK_EQUAL(value_of(c.invoke_action(thing, "action_echo", R"({"__args__":["pos"]})")),
                  json("pos"));
  // Remote exceptions: raised by an action, by validation, by an unknown name.
  auto raised = c.invoke_action(thing, "set_non_remote_number_prop", R"({"value":-1})");
  CAF_REQUIRE(!raised);
  CAF_CHECK(client_errc_of(raised.error()) == client_errc::remote_exception);
  auto ex = remote_exception_of(raised.error());
  CAF_REQUIRE(ex);
  CAF_CHECK_EQUAL(ex->type, "ValueError");
  CAF_CHECK_EQUAL(ex->message, "Value must be non-negative");
  CAF_CHECK(!ex->traceback.empty());
  CAF_CHECK_EQUAL(remote_type_of(c.write_property(thing, "string_prop", R"("UPPER")")),
                  "ValueError");
  CAF_CHECK_EQUAL(remote_type_of(c.write_property(thing, "int_prop", "1000")), "ValueError");
  auto unknown = c.read_property(thing, "no_such_property");
  CAF_CHECK(!unknown && client_errc_of(unknown.error()) == client_errc::remote_exception);
  // bytes return: payload null, the bytes in the preserialized frame.
  auto bytes = c.invoke_action(thing, "get_serialized_data");
  CAF_REQUIRE(bytes);
  CAF_CHECK_EQUAL(bytes->payload.to_string(), "null");
  CAF_CHECK_EQUAL(bytes->preserialized.to_string(), "foobar");
  // (str, bytes): both frames.
  auto mixed = c.invoke_action(thing, "get_mixed_content_data");
  CAF_REQUIRE(mixed);
  CAF_CHECK_EQUAL(value_of(mixed), json("foobar"));
  CAF_CHECK_EQUAL(mixed->preserialized.to_string(), "foobar");
  // 1 MiB both ways.
  auto big = big_string();
  auto echoed = c.invoke_action(thing, "action_echo", json{{"value", big}}.dump());
  CAF_REQUIRE(echoed);
  CAF_CHECK_EQUAL(echoed->payload.size(), big.size() + 2);
  CAF_CHECK(value_of(echoed) == json(big));
  // --msgpack: the server answers these in application/msgpack (a positive
  // fixint is its own msgpack encoding); JSON requests are still accepted.
  auto set = c.invoke_action(thing, "set_non_remote_number_prop", R"({"value":13})");
  CAF_REQUIRE(set);
  CAF_CHECK_EQUAL(set->payload_content_type, "application/msgpack");
  CAF_CHECK_EQUAL(set->payload.to_string(), std::string(1, '\xc0')); // nil
  auto packed = c.invoke_action(thing, "get_non_remote_number_prop");
  CAF_REQUIRE(packed);
  CAF_CHECK_EQUAL(packed->payload_content_type, "application/msgpack");
  CAF_CHECK_EQUAL(packed->payload.to_string(), std::string(1, '\x0d'));
  auto array = c.read_property(thing, "numpy_array_prop");
  CAF_REQUIRE(array);
  CAF_CHECK_EQUAL(array->payload_content_type, "application/msgpack");
  // oneway: executed, unanswered, and in order before the next request.
  CAF_CHECK(c.oneway(write_property(thing, "number_prop", wire::shared_bytes::copy_of("77"))));
  CAF_CHECK_EQUAL(value_of(c.read_property(thing, "number_prop")), json(77));
  // WoT multi-property operations sent directly (objekt = JSON list / CSV).
  operation_request multi;
  multi.thing_id = thing;
  multi.objekt = "int_prop,number_prop";
  multi.operation = "readmultipleproperties";
  CAF_CHECK_EQUAL(value_of(c.execute(multi)), (json{{"int_prop", 5}, {"number_prop", 77}}));
  // A hidden action the ObjectProxy uses for the same.
  CAF_CHECK_EQUAL(value_of(c.invoke_action(thing, "_get_properties",
                                           R"({"names":["int_prop"]})")),
                  (json{{"int_prop", 5}}));
  // The Thing Description.
  auto td = value_of(c.invoke_action(thing, "get_thing_description",
                                     R"({"ignore_errors":true,"protocol":"IPC","skip_names":[]})"));
  CAF_CHECK_EQUAL(td.value("id", ""), thing);
  CAF_CHECK(td["properties"].contains("number_prop"));
  auto st = c.status();
  CAF_REQUIRE(st);
  CAF_CHECK_EQUAL(st->in_flight, 0u);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(interop_client_core_tests, core_fixture)

CAF_TEST(client core operations on a real server over IPC and TCP) {
  auto port = free_port_pair();
  real_server server{home, "lab", "test-thing", port};
  auto ipc = wire::resolve_endpoints("IPC", "lab", home.hololinked_dir());
  CAF_REQUIRE(ipc);
  // hololinked's IPC convention, computed on our side, is where the server is.
  CAF_CHECK_EQUAL(ipc->request_address, server.address("ipc_server"));
  CAF_CHECK_EQUAL(ipc->event_address, server.address("ipc_event_publisher"));
  {
    CAF_MESSAGE("IPC");
    blocking_client c{sys, config(ipc->request_address, "lab"), factory};
    check_operations(c, "test-thing", 42.5);
  }
  {
    CAF_MESSAGE("TCP");
    blocking_client c{sys, config(server.address("tcp_server"), "lab"), factory};
    check_operations(c, "test-thing", -3.25);
  }
}

CAF_TEST(client core sees both server timeouts of a real server over IPC and TCP) {
  auto port = free_port_pair();
  // One TestThing per transport: sleep() blocks its Thing for 10 s.
  real_server server{home, "lab", "thing-ipc,thing-tcp", port};
  blocking_client ipc{sys, config(server.address("ipc_server"), "lab"), factory};
  blocking_client tcp{sys, config(server.address("tcp_server"), "lab"), factory};
  CAF_REQUIRE(ipc.wait_connected());
  CAF_REQUIRE(tcp.wait_connected());
  for (auto [c, thing] : {std::pair{&ipc, "thing-ipc"}, std::pair{&tcp, "thing-tcp"}}) {
    CAF_MESSAGE(thing);
    auto slow = c->invoke_action(thing, "sleep", "{}", timeouts(5, 0.3));
    CAF_REQUIRE(!slow);
    CAF_CHECK(client_errc_of(slow.error()) == client_errc::server_timeout);
    CAF_CHECK_EQUAL(server_timeout_kind_of(slow.error()), "execution");
    // Queued behind the sleep that still runs.
    auto queued = c->read_property(thing, "number_prop", timeouts(0.3, 5));
    CAF_REQUIRE(!queued);
    CAF_CHECK(client_errc_of(queued.error()) == client_errc::server_timeout);
    CAF_CHECK_EQUAL(server_timeout_kind_of(queued.error()), "invokation");
  }
}

CAF_TEST(client core receives real server events with exact topics over IPC and TCP) {
  auto port = free_port_pair();
  real_server server{home, "lab", "test-thing", port};
  blocking_client c{sys, config(server.address("ipc_server"), "lab"), factory};
  CAF_REQUIRE(c.wait_connected());
  auto push = [&](const std::string& event, int n) {
    auto r = c.invoke_action("test-thing", "push_events",
                             json{{"event_name", event}, {"total_number_of_events", n}}.dump());
    CAF_REQUIRE(r);
  };
  for (auto publisher : {server.address("ipc_event_publisher"),
                         server.address("tcp_event_publisher")}) {
    CAF_MESSAGE("publisher " << publisher);
    auto sub = events::spawn_event_subscriber(sys, {"lab", publisher}, factory);
    auto short_got = std::make_shared<test::collected_events>();
    auto long_got = std::make_shared<test::collected_events>();
    auto short_sink = test::spawn_collector(sys, short_got);
    auto long_sink = test::spawn_collector(sys, long_got);
    caf::scoped_actor self{sys};
    for (auto [event, sink] : {std::pair{"test_event", short_sink},
                               std::pair{"test_event_with_json_schema", long_sink}})
      self->request(sub, caf::infinite, subscribe_atom_v, std::string{"test-thing"},
                    std::string{event}, sink)
        .receive([] {}, [&](caf::error& err) { CAF_FAIL("subscribe: " << describe(err)); });
    // Slow joiner: trigger until both subscriptions deliver, then count.
    CAF_REQUIRE(eventually(
      [&] {
        push("test_event", 1);
        push("test_event_with_json_schema", 1);
        return eventually([&] { return short_got->size() > 0 && long_got->size() > 0; }, 300ms);
      },
      20s));
    std::this_thread::sleep_for(300ms);
    short_got->take();
    long_got->take();
    push("test_event", 10);
    push("test_event_with_json_schema", 10);
    CAF_CHECK(eventually([&] { return short_got->size() >= 10 && long_got->size() >= 10; }, 10s));
    std::this_thread::sleep_for(300ms); // duplicates or leaks would arrive now
    auto shorts = short_got->take();
    auto longs = long_got->take();
    CAF_CHECK_EQUAL(shorts.size(), 10u);
    CAF_CHECK_EQUAL(longs.size(), 10u);
    for (auto& ev : shorts) {
      CAF_CHECK_EQUAL(ev.topic, "test-thing/test_event");
      CAF_CHECK_EQUAL(ev.header.event_id, "test-thing/test_event");
      CAF_CHECK_EQUAL(ev.payload.to_string(), "\"test data\"");
    }
    for (auto& ev : longs) {
      CAF_CHECK_EQUAL(ev.topic, "test-thing/test_event_with_json_schema");
      auto v = json::parse(ev.payload.view(), nullptr, false);
      CAF_CHECK_EQUAL(v.value("val2", ""), "test");
    }
    self->request(sub, caf::infinite, get_atom_v, last_atom_v, std::string{"test-thing"},
                  std::string{"test_event"})
      .receive([&](wire::event& ev) { CAF_CHECK_EQUAL(ev.topic, "test-thing/test_event"); },
               [&](caf::error& err) { CAF_FAIL("no last value: " << describe(err)); });
    for (auto& a : {caf::actor_cast<caf::actor>(sub), caf::actor_cast<caf::actor>(short_sink),
                    caf::actor_cast<caf::actor>(long_sink)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
}

CAF_TEST(a real server restarted with requests in flight ends each request exactly once) {
  auto port = free_port_pair();
  auto server = std::make_unique<real_server>(home, "lab", "test-thing", port);
  blocking_client ipc{sys, config(server->address("ipc_server"), "lab"), factory};
  blocking_client tcp{sys, config(server->address("tcp_server"), "lab"), factory};
  CAF_REQUIRE(ipc.wait_connected());
  CAF_REQUIRE(tcp.wait_connected());
  auto ipc_counts = std::make_shared<load_counts>();
  auto tcp_counts = std::make_shared<load_counts>();
  auto ipc_load = sys.spawn(load_actor, ipc.handle(), std::string{"test-thing"}, 8, ipc_counts);
  auto tcp_load = sys.spawn(load_actor, tcp.handle(), std::string{"test-thing"}, 8, tcp_counts);
  CAF_REQUIRE(eventually([&] { return ipc_counts->ok > 100 && tcp_counts->ok > 100; }, 60s));
  server->kill(); // a crash: requests are in flight on both transports
  auto ipc_at_crash = ipc_counts->ok.load();
  auto tcp_at_crash = tcp_counts->ok.load();
  server = std::make_unique<real_server>(home, "lab", "test-thing", port);
  // libzmq reconnects by itself; no new handshake is needed.
  CAF_CHECK(eventually(
    [&] { return ipc_counts->ok > ipc_at_crash + 100 && tcp_counts->ok > tcp_at_crash + 100; },
    60s));
  stop_and_check(ipc_load, *ipc_counts);
  stop_and_check(tcp_load, *tcp_counts);
  for (auto* c : {&ipc, &tcp}) {
    auto st = c->status();
    CAF_REQUIRE(st);
    CAF_CHECK_EQUAL(st->in_flight + st->waiting_to_send, 0u);
    CAF_CHECK_GREATER_OR_EQUAL(st->disconnects, 1u);
    CAF_CHECK_EQUAL(value_of(c->read_property("test-thing", "int_prop")), json(5));
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
