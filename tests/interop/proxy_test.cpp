// REAL hololinked 0.4 ObjectProxy clients (sync and async API) -> holobrokerd
// -> the REAL hololinked server, through the broker's IPC and TCP front ends.
#define CAF_SUITE interop_proxy
#include <caf/test/unit_test.hpp>

#include "fronted_fleet.hpp"

using namespace holobroker::test::interop;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

bool message_has(const json& error, const std::string& text) {
  return error.is_object() && error.value("message", "").find(text) != std::string::npos;
}

void check_proxy_results(const driver_process& d, const fronted_fleet& fleet,
                         const std::string& transport) {
  auto thing = "thing-" + transport;
  CAF_CHECK(d.result("create_proxy").contains("got"));
  CAF_CHECK_EQUAL(got(d, "read_int_prop"), json(5));
  CAF_CHECK_EQUAL(got(d, "write_read_number_prop"), json(42.5));
  CAF_CHECK_EQUAL(got(d, "attribute_access"), json(7));
  CAF_CHECK_EQUAL(got(d, "write_read_observable_list_prop"),
                  json::array({1, "two", 3.5, true, nullptr}));
  CAF_CHECK_EQUAL(got(d, "write_read_pydantic_prop"),
                  (json{{"foo", "abc"}, {"bar", 3}, {"foo_bar", 1.5}}));
  CAF_CHECK_EQUAL(raised(d, "write_invalid_string_prop").value("type", ""), "ValueError");
  CAF_CHECK_EQUAL(raised(d, "write_out_of_bounds_int_prop").value("type", ""), "ValueError");
  CAF_CHECK_EQUAL(got(d, "invoke_action_echo"),
                  (json{{"a", json::array({1, "two", 3.5, true, nullptr})}}));
  CAF_CHECK_EQUAL(got(d, "invoke_action_echo_kwarg"), json("kw"));
  CAF_CHECK_EQUAL(raised(d, "invoke_remote_exception"),
                  (json{{"type", "ValueError"}, {"message", "Value must be non-negative"}}));
  CAF_CHECK_EQUAL(got(d, "invoke_bytes_return"), (json{{"b64", "Zm9vYmFy"}}));
  CAF_CHECK_EQUAL(got(d, "invoke_mixed_return"), json::array({"foobar", {{"b64", "Zm9vYmFy"}}}));
  CAF_CHECK_EQUAL(got(d, "invoke_get_transports"), json::array({"INPROC", "IPC", "TCP"}));
  auto big = got(d, "one_mib_echo");
  CAF_CHECK_EQUAL(big.value("sent_len", 0), 1 << 20);
  CAF_CHECK_EQUAL(big.value("got_len", 0), 1 << 20);
  CAF_CHECK_EQUAL(big.value("got_sha256", "?"), big.value("sent_sha256", ""));
  // --msgpack: application/msgpack replies (and requests) through the broker.
  CAF_CHECK_EQUAL(got(d, "msgpack_action_roundtrip"), json(13));
  CAF_CHECK_EQUAL(got(d, "msgpack_read_numpy_array_prop"), json::array({1, 2, 3}));
  CAF_CHECK_EQUAL(got(d, "oneway_write_then_read"), json(99));
  CAF_CHECK_EQUAL(got(d, "oneway_action_then_invoke"), json(21));
  CAF_CHECK_EQUAL(got(d, "noblock_read_reply"),
                  (json{{"read", 3.25}, {"echo", "nb"}, {"distinct_ids", true}}));
  CAF_CHECK_EQUAL(got(d, "write_read_multiple_properties"),
                  (json{{"number_prop", 8}, {"int_prop", 11}, {"string_prop", "multi"}}));
  // The Thing Description points at the broker, never at the server behind it.
  auto td = got(d, "thing_description");
  CAF_CHECK_EQUAL(td.value("id", ""), thing);
  CAF_CHECK_EQUAL(td["sample"], (json{{"number_prop", true}, {"action_echo", true},
                                      {"test_event", true}}));
  auto hrefs = json::array({fleet.broker->events(transport), fleet.broker->frontend(transport)});
  if (hrefs[0] > hrefs[1])
    std::swap(hrefs[0], hrefs[1]);
  CAF_CHECK_EQUAL(td["hrefs"], hrefs);
  CAF_CHECK_EQUAL(got(d, "async_api"),
                  (json{{"read", 17},
                        {"echo", "async"},
                        {"gather_in_order", true},
                        {"multi", {{"number_prop", 5}, {"int_prop", 7}}},
                        {"exception",
                         {{"type", "ValueError"}, {"message", "Value must be non-negative"}}}}));
  // The prefix pair: every test_event exactly once; the longer topic either
  // filtered out entirely (exact topics) or delivered entirely (hololinked's
  // own prefix semantics), never partly.
  auto short_ev = got(d, "event_test_event");
  CAF_CHECK_EQUAL(short_ev.value("test_data", -1), 10);
  CAF_CHECK_EQUAL(short_ev.value("other", -1), 0);
  auto leaked = short_ev.value("schema_data", -1);
  CAF_CHECK(leaked == 0 || leaked == 10);
  CAF_CHECK_EQUAL(got(d, "event_test_event_with_json_schema"),
                  (json{{"test_data", 0}, {"schema_data", 10}, {"other", 0}}));
  CAF_CHECK_EQUAL(got(d, "event_binary_payload"),
                  (json{{"count", 5}, {"first", {{"b64", "dGVzdCBkYXRh"}}}}));
  // The spectrometer's state machine and its measurement events.
  CAF_CHECK_EQUAL(got(d, "spectrometer_initial_state"), json("ON"));
  CAF_CHECK_EQUAL(got(d, "spectrometer_write_integration_time"), json(20));
  CAF_CHECK(message_has(raised(d, "spectrometer_stop_while_on_refused"), "'ON' state"));
  CAF_CHECK_EQUAL(got(d, "spectrometer_measurement"),
                  (json{{"state_measuring", "MEASURING"},
                        {"events_arrived", true},
                        {"event_shape_ok", true},
                        {"state_after_stop", "ON"}}));
  CAF_CHECK_EQUAL(got(d, "spectrometer_disconnect_connect"),
                  (json{{"after_disconnect", "DISCONNECTED"}, {"after_connect", "ON"}}));
  CAF_CHECK_EQUAL(got(d, "many_clients"), (json{{"clients", 10},
                                                {"answered", 400},
                                                {"wrong", 0},
                                                {"errors", json::array()}}));
  // Both server timeouts, with the proxies' own timeouts forwarded upstream.
  auto exec = raised(d, "execution_timeout");
  CAF_CHECK_EQUAL(exec.value("type", ""), "TimeoutError");
  CAF_CHECK(message_has(exec, "Execution timeout"));
  auto invok = raised(d, "invokation_timeout");
  CAF_CHECK_EQUAL(invok.value("type", ""), "TimeoutError");
  CAF_CHECK(message_has(invok, "Invokation timeout"));
}

} // namespace

CAF_TEST(a real ObjectProxy works through holobrokerd on a real server over IPC and TCP) {
  fronted_fleet fleet{{"thing", "sleepy", "spectrometer"}};
  const std::string groups = "basic,async,events,spectrometer,many,timeouts";
  auto ipc = fleet.drive("ipc", groups);
  auto tcp = fleet.drive("tcp", groups);
  for (auto [transport, d] : {std::pair{"ipc", ipc.get()}, std::pair{"tcp", tcp.get()}}) {
    CAF_MESSAGE("front end " << transport);
    CAF_CHECK(d->finish(240s));
    check_proxy_results(*d, fleet, transport);
    for (auto& [name, r] : d->results())
      if (r.contains("error") && name.rfind("group_", 0) == 0)
        CAF_ERROR("driver group failed: " << r.dump() << "\ndriver stderr tail:\n"
                                           << d->log_tail());
  }
}
