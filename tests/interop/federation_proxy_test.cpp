// REAL hololinked 0.4 ObjectProxy clients at broker A, on a REAL hololinked
// server's Things held by broker B: two holobrokerd processes federated over
// CAF's middleman (plain, loopback), each in its own HOME. The real server is
// behind B only; A has no Things of its own and learns B's from the peer.
//
//   ObjectProxy --(A's IPC / TCP front end)--> holobrokerd A
//     --(federation, CAF middleman)--> holobrokerd B --(IPC / TCP)--> serve.py
#define CAF_SUITE interop_federation
#include <caf/test/unit_test.hpp>

#include <algorithm>

#include "fronted_fleet.hpp"
#include "interop_fixture.hpp"
#include "support/command_run.hpp"

using namespace holobroker::test;
using namespace holobroker::test::interop;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct federated_fleet {
  home_dir home_b; ///< the real server and broker B (IPC sockets of both)
  home_dir home_a; ///< broker A and the drivers: nothing of B's IPC is reachable from here
  std::unique_ptr<real_server> server;
  std::unique_ptr<broker_process> b;
  std::unique_ptr<broker_process> a;

  federated_fleet() {
    require_peer();
    auto port = free_port_pair();
    // thing-ipc is reached by B over IPC, thing-tcp over TCP: both hops of
    // B's upstream side, each driven through the matching front end of A.
    server = std::make_unique<real_server>(home_b, "lab", "thing-ipc,thing-tcp", port);
    b = std::make_unique<broker_process>(
      home_b,
      thing_entry("thing-ipc", "lab", "IPC")
        + thing_entry("thing-tcp", "lab", server->address("tcp_server")),
      "broker-b", "  federation:\n    listen: 127.0.0.1:0\n    plain: true\n");
    a = std::make_unique<broker_process>(
      home_a, "  []\n", "broker-a",
      "  federation:\n    listen: 127.0.0.1:0\n    plain: true\n"
      "    reconnect: {min: 50ms, max: 500ms}\n  peers:\n    - 127.0.0.1:"
        + std::to_string(b->federation_port()) + "\n");
  }

  /// A's `things` document through the CLI (A's TCP front end).
  json things_at_a() const {
    auto r = run_command(holobroker_cli_binary(),
                         {"--broker", a->frontend("tcp"), "--broker-id", "broker-a", "things"},
                         home_a.path(), 30s);
    if (r.exit_code != 0 || r.out.empty())
      return json::array();
    std::string text;
    for (const auto& l : r.out)
      text += l + "\n";
    return json::parse(text, nullptr, false);
  }

  /// True once A lists both of B's Things as B's and its link to B is up.
  bool learnt_from_b() const {
    auto things = things_at_a();
    if (!things.is_array())
      return false;
    int seen = 0;
    for (const auto& t : things)
      if ((t.value("id", "") == "thing-ipc" || t.value("id", "") == "thing-tcp")
          && t.value("origin", "") == "broker-b" && t.contains("peer")
          && t["peer"].value("state", "") == "connected")
        ++seen;
    return seen == 2;
  }

  /// The driver for A's `transport` front end on `thing-<transport>`; the
  /// direct client (observe) reaches the real server over TCP, as A's HOME
  /// has none of its IPC sockets.
  std::unique_ptr<driver_process> drive(const std::string& transport, const std::string& groups) {
    std::vector<std::string> args{"--server-id",          "broker-a",
                                  "--access-point",       transport == "ipc" ? "IPC"
                                                                             : a->frontend("tcp"),
                                  "--thing",              "thing-" + transport,
                                  "--direct-server-id",   "lab",
                                  "--direct-access-point", server->address("tcp_server"),
                                  "--groups",             groups};
    return std::make_unique<driver_process>(home_a, script("proxy_driver.py"), args,
                                            "driver-federated-" + transport);
  }
};

json sorted(json hrefs) {
  std::sort(hrefs.begin(), hrefs.end());
  return hrefs;
}

} // namespace

CAF_TEST(a real ObjectProxy at broker A works on a Thing of a real server held by peer broker B) {
  federated_fleet fleet;
  CAF_REQUIRE(eventually([&] { return fleet.learnt_from_b(); }, 30s));
  auto ipc = fleet.drive("ipc", "basic,events,observe");
  auto tcp = fleet.drive("tcp", "basic,events,observe");
  for (auto [transport, d] : {std::pair{"ipc", ipc.get()}, std::pair{"tcp", tcp.get()}}) {
    CAF_MESSAGE("front end " << transport << " of broker A");
    CAF_CHECK(d->finish(240s));
    // The proxy starts: its Thing Description came through A ...
    CAF_CHECK(d->result("create_proxy").contains("got"));
    auto td = got(*d, "thing_description");
    CAF_CHECK_EQUAL(td.value("id", ""), "thing-" + std::string{transport});
    CAF_CHECK_EQUAL(td["sample"], (json{{"number_prop", true}, {"action_echo", true},
                                        {"test_event", true}}));
    // ... and its forms point at A's endpoints, never at B's nor the server's.
    CAF_CHECK_EQUAL(td["hrefs"], sorted(json::array({fleet.a->events(transport),
                                                     fleet.a->frontend(transport)})));
    for (const auto& not_here :
         {fleet.b->frontend(transport), fleet.b->events(transport),
          fleet.server->address("tcp_server"), fleet.server->address("tcp_event_publisher")})
      CAF_CHECK(std::find(td["hrefs"].begin(), td["hrefs"].end(), json(not_here))
                == td["hrefs"].end());
    // Reads, writes and actions cross both brokers with the server's answers.
    CAF_CHECK_EQUAL(got(*d, "read_int_prop"), json(5));
    CAF_CHECK_EQUAL(got(*d, "write_read_number_prop"), json(42.5));
    CAF_CHECK_EQUAL(got(*d, "attribute_access"), json(7));
    CAF_CHECK_EQUAL(got(*d, "write_read_pydantic_prop"),
                    (json{{"foo", "abc"}, {"bar", 3}, {"foo_bar", 1.5}}));
    CAF_CHECK_EQUAL(raised(*d, "write_invalid_string_prop").value("type", ""), "ValueError");
    CAF_CHECK_EQUAL(got(*d, "invoke_action_echo"),
                    (json{{"a", json::array({1, "two", 3.5, true, nullptr})}}));
    CAF_CHECK_EQUAL(got(*d, "invoke_action_echo_kwarg"), json("kw"));
    CAF_CHECK_EQUAL(raised(*d, "invoke_remote_exception"),
                    (json{{"type", "ValueError"}, {"message", "Value must be non-negative"}}));
    CAF_CHECK_EQUAL(got(*d, "invoke_bytes_return"), (json{{"b64", "Zm9vYmFy"}}));
    auto big = got(*d, "one_mib_echo");
    CAF_CHECK_EQUAL(big.value("got_len", 0), 1 << 20);
    CAF_CHECK_EQUAL(big.value("got_sha256", "?"), big.value("sent_sha256", ""));
    CAF_CHECK_EQUAL(got(*d, "msgpack_action_roundtrip"), json(13));
    CAF_CHECK_EQUAL(got(*d, "oneway_write_then_read"), json(99));
    CAF_CHECK_EQUAL(got(*d, "oneway_action_then_invoke"), json(21));
    CAF_CHECK_EQUAL(got(*d, "noblock_read_reply"),
                    (json{{"read", 3.25}, {"echo", "nb"}, {"distinct_ids", true}}));
    CAF_CHECK_EQUAL(got(*d, "write_read_multiple_properties"),
                    (json{{"number_prop", 8}, {"int_prop", 11}, {"string_prop", "multi"}}));
    // Events: A's subscription is forwarded to B, which subscribes at the server.
    auto short_ev = got(*d, "event_test_event");
    CAF_CHECK_EQUAL(short_ev.value("test_data", -1), 10);
    CAF_CHECK_EQUAL(short_ev.value("other", -1), 0);
    CAF_CHECK_EQUAL(got(*d, "event_binary_payload"),
                    (json{{"count", 5}, {"first", {{"b64", "dGVzdCBkYXRh"}}}}));
    // observe_property through A gets every change a direct client of the
    // server gets, in the same order, whether the write went through A or not.
    check_observe_matches_direct(*d);
    for (auto& [name, res] : d->results())
      if (res.contains("error") && name.rfind("group_", 0) == 0)
        CAF_ERROR("driver group failed: " << res.dump() << "\ndriver stderr tail:\n"
                                           << d->log_tail());
  }
}
