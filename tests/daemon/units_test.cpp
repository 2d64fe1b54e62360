#define CAF_SUITE broker_units
#include <caf/test/unit_test.hpp>

#include <filesystem>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "holobroker/broker/ipc_endpoint.hpp"
#include "holobroker/broker/latency_window.hpp"
#include "holobroker/broker/reload_plan.hpp"
#include "holobroker/broker/td_rewriter.hpp"
#include "support/golden.hpp"
#include "support/temp_dir.hpp"

using namespace holobroker;
using nlohmann::json;

namespace {

/// Every href of the TD with its form's op.
std::vector<std::pair<std::string, std::string>> hrefs(const json& td) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* section : {"properties", "actions", "events"})
    for (auto& [name, aff] : td[section].items())
      for (auto& form : aff["forms"])
        out.emplace_back(form["op"].is_string() ? form["op"].get<std::string>() : "",
                         form["href"].get<std::string>());
  return out;
}

json golden_td(const std::string& file) {
  auto cap = test::load_golden(file);
  return json::parse(cap.messages.back().frames[3].view());
}

broker::broker_endpoints endpoints() {
  broker::broker_endpoints ep;
  ep.request_ipc = "ipc:///run/holobroker/sockets/holobroker.ipc";
  ep.event_ipc = "ipc:///run/holobroker/sockets/holobroker.event-publisher.ipc";
  ep.request_tcp = "tcp://broker-host:5555";
  ep.event_tcp = "tcp://broker-host:5556";
  return ep;
}

config::thing_config thing(std::string id, std::string address = "IPC") {
  config::thing_config t;
  t.thing_id = id;
  t.server_id = "srv";
  t.address = std::move(address);
  t.client_id = "holobroker|hb|" + id;
  return t;
}

} // namespace

CAF_TEST(golden ipc thing description points at the broker afterwards) {
  auto td = golden_td("ipc-thing-description-fetch.json");
  auto before = hrefs(td);
  CAF_REQUIRE(!before.empty());
  auto out = broker::rewrite_thing_description(td.dump(), endpoints());
  CAF_REQUIRE(out.has_value());
  auto after_td = json::parse(*out);
  auto after = hrefs(after_td);
  CAF_REQUIRE_EQUAL(after.size(), before.size());
  std::size_t events = 0;
  for (const auto& [op, href] : after) {
    bool event = op == "subscribeevent" || op == "observeproperty";
    events += event ? 1 : 0;
    CAF_CHECK_EQUAL(href, event ? endpoints().event_ipc : endpoints().request_ipc);
  }
  CAF_CHECK(events > 0);
  // Everything but the hrefs is unchanged.
  CAF_CHECK_EQUAL(after_td["id"], td["id"]);
  CAF_CHECK_EQUAL(after_td["properties"].size(), td["properties"].size());
  CAF_CHECK_EQUAL(after_td["events"]["test_event"]["description"],
                  td["events"]["test_event"]["description"]);
}

CAF_TEST(golden tcp thing description keeps TCP and falls back to IPC) {
  auto td = golden_td("tcp-thing-description-fetch.json");
  auto out = broker::rewrite_thing_description(td.dump(), endpoints());
  CAF_REQUIRE(out.has_value());
  for (const auto& [op, href] : hrefs(json::parse(*out)))
    CAF_CHECK(href == endpoints().request_tcp || href == endpoints().event_tcp);
  auto ipc_only = endpoints();
  ipc_only.request_tcp.clear();
  ipc_only.event_tcp.clear();
  auto fallback = broker::rewrite_thing_description(td.dump(), ipc_only);
  CAF_REQUIRE(fallback.has_value());
  for (const auto& [op, href] : hrefs(json::parse(*fallback)))
    CAF_CHECK(href.rfind("ipc:///run/holobroker/", 0) == 0);
}

CAF_TEST(non thing descriptions are refused with a reason) {
  CAF_CHECK(!broker::rewrite_thing_description("42", endpoints()));
  CAF_CHECK(!broker::rewrite_thing_description("{not json", endpoints()));
  CAF_CHECK(!broker::rewrite_thing_description(R"({"a":1})", endpoints()));
  auto http = broker::rewrite_thing_description(
    R"({"properties":{"p":{"forms":[{"href":"http://x/p","op":"readproperty"}]}}})", endpoints());
  CAF_REQUIRE(http.has_value());
  CAF_CHECK(http->find("http://x/p") != std::string::npos); // other protocols untouched
}

CAF_TEST(reload plan compares Things by id and whole configuration) {
  config::broker_config running, next;
  running.things = {thing("a"), thing("b"), thing("c")};
  next.things = {thing("a"), thing("c", "tcp://127.0.0.1:5000"), thing("d")};
  auto plan = broker::plan_reload(running, next);
  CAF_REQUIRE_EQUAL(plan.added.size(), 1u);
  CAF_CHECK_EQUAL(plan.added[0].thing_id, "d");
  CAF_CHECK_EQUAL(plan.removed, std::vector<std::string>{"b"});
  CAF_REQUIRE_EQUAL(plan.changed.size(), 1u);
  CAF_CHECK_EQUAL(plan.changed[0].thing_id, "c");
  CAF_CHECK_EQUAL(plan.unchanged, std::vector<std::string>{"a"});
  CAF_CHECK(plan.needs_restart.empty());
  CAF_CHECK_EQUAL(broker::to_string(plan), "+d -b ~c (1 unchanged)");
  next.middleman_port = 4242;
  auto restart = broker::plan_reload(running, next).needs_restart;
  CAF_REQUIRE_EQUAL(restart.size(), 1u);
  CAF_CHECK_EQUAL(restart[0].key, "broker.middleman");
  CAF_CHECK(broker::plan_reload(running, running).empty());
}

CAF_TEST(a reload warns about a restart-only key at file line and column of the new file) {
  auto running = config::parse_config("broker:\n  middleman: {port: 4242}\nthings: []\n", "a.yaml");
  // Things change too: the plan still applies them.
  auto next = config::parse_config("# moved down by a comment\n"
                                   "things:\n"
                                   "  - {id: a, address: IPC}\n"
                                   "broker:\n"
                                   "  id: holobroker\n"
                                   "  middleman:\n"
                                   "    port: 4343\n",
                                   "b.yaml");
  CAF_REQUIRE(running && next);
  CAF_CHECK_EQUAL(next->source.file, "b.yaml");
  auto plan = broker::plan_reload(*running, *next);
  CAF_REQUIRE_EQUAL(plan.added.size(), 1u);
  CAF_CHECK_EQUAL(plan.added[0].thing_id, "a");
  CAF_REQUIRE_EQUAL(plan.needs_restart.size(), 1u);
  const auto& k = plan.needs_restart[0];
  CAF_CHECK_EQUAL(k.key, "broker.middleman");
  CAF_CHECK_EQUAL(k.line, 6);
  CAF_CHECK_EQUAL(k.column, 3);
  CAF_CHECK_EQUAL(broker::to_string(k),
                  "b.yaml:6:3: broker.middleman: changed; it takes effect only after a restart");
  // The loader noted the keys it read, nested ones and a Thing's too.
  CAF_CHECK(next->source.find("broker.middleman.port") != nullptr
            && *next->source.find("broker.middleman.port") == (config::source_mark{7, 5}));
  CAF_CHECK(next->source.find("things[0].address") != nullptr
            && *next->source.find("things[0].address") == (config::source_mark{3, 13}));
  CAF_CHECK_EQUAL(next->source.nearest("broker.middleman.host"), "broker.middleman");
  CAF_CHECK_EQUAL(next->source.nearest("broker.federation.tls"), "broker");
}

CAF_TEST(the security and limits sections have their key positions noted like the rest) {
  auto cfg = config::parse_config("things: []\n"
                                  "limits:\n"
                                  "  send_queue: 10\n"
                                  "security:\n"
                                  "  tcp: {allow: [10.0.0.0/8]}\n"
                                  "  policy:\n"
                                  "    - principal: {uid: 1000}\n"
                                  "      things: [\"*\"]\n"
                                  "      operations: [read]\n",
                                  "s.yaml");
  CAF_REQUIRE(cfg.has_value());
  auto at = [&](const char* key) {
    const auto* m = cfg->source.find(key);
    return m ? std::to_string(m->line) + ":" + std::to_string(m->column) : std::string{"none"};
  };
  CAF_CHECK_EQUAL(at("limits.send_queue"), "3:3");
  CAF_CHECK_EQUAL(at("security.tcp.allow"), "5:9");
  CAF_CHECK_EQUAL(at("security.policy"), "6:3");
  CAF_CHECK_EQUAL(at("security.policy[0].principal.uid"), "7:19");
}

CAF_TEST(a reload names changed limits listeners and HTTP at their lines as needing a restart) {
  const std::string head = "things: []\n"
                           "security:\n"
                           "  curve:\n";
  auto running = config::parse_config(head
                                        + "    tcp: tcp://127.0.0.1:5555\n"
                                          "    server_key: /k/server.key\n"
                                          "    client_keys: /k/clients\n"
                                          "limits: {send_queue: 10}\n",
                                      "a.yaml");
  auto next = config::parse_config(head
                                     + "    tcp: tcp://127.0.0.1:5556\n"
                                       "    server_key: /k/server.key\n"
                                       "    client_keys: /k/other-clients\n"
                                       "limits:\n"
                                       "  send_queue: 20\n"
                                       "  max_in_flight_per_client: 4\n"
                                       "  max_requests_per_second_per_client: 100\n"
                                       "broker:\n"
                                       "  http: {listen: 9464}\n",
                                   "b.yaml");
  CAF_REQUIRE(running && next);
  std::vector<std::string> lines;
  for (const auto& k : broker::plan_reload(*running, *next).needs_restart)
    lines.push_back(broker::to_string(k));
  // The client key directory is reloaded: not named.
  CAF_CHECK_EQUAL(lines,
                  (std::vector<std::string>{
                    "b.yaml:12:3: broker.http: changed; it takes effect only after a restart",
                    "b.yaml:4:5: security.curve.tcp: changed; it takes effect only after a restart",
                    "b.yaml:9:3: limits.max_in_flight_per_client: changed; it takes effect only "
                    "after a restart",
                    "b.yaml:8:3: limits.send_queue: changed; it takes effect only after a "
                    "restart",
                    "b.yaml:10:3: limits.max_requests_per_second_per_client: changed; it takes "
                    "effect only after a restart"}));
}

CAF_TEST(a reload without the security section names it removed and keeps it whole) {
  auto running = config::parse_config("things: []\nsecurity:\n  policy: []\n", "a.yaml");
  auto next = config::parse_config("broker: {id: holobroker}\nthings: []\n", "b.yaml");
  CAF_REQUIRE(running && next);
  auto removed = broker::plan_reload(*running, *next).needs_restart;
  CAF_REQUIRE_EQUAL(removed.size(), 1u);
  CAF_CHECK(removed[0].removed);
  CAF_CHECK_EQUAL(broker::to_string(removed[0]),
                  "b.yaml: security: removed; the running security (authentication and policy) "
                  "stays until a restart");
  auto added = broker::plan_reload(*next, *running).needs_restart;
  CAF_REQUIRE_EQUAL(added.size(), 1u);
  CAF_CHECK_EQUAL(broker::to_string(added[0]),
                  "a.yaml:2:1: security: added; its policy applies now, but clients are "
                  "identified (uid, address, CURVE key) only after a restart, so until then only "
                  "rules for \"*\" match");
}

CAF_TEST(latency percentiles use nearest rank over a bounded window) {
  broker::latency_window w{4};
  CAF_CHECK_EQUAL(w.percentile(0.5).count(), 0);
  for (int ms : {10, 20, 30, 40})
    w.record(std::chrono::milliseconds{ms});
  CAF_CHECK_EQUAL(w.percentile(0.5), std::chrono::milliseconds{20});
  CAF_CHECK_EQUAL(w.percentile(0.99), std::chrono::milliseconds{40});
  w.record(std::chrono::milliseconds{1}); // replaces the oldest (10)
  CAF_CHECK_EQUAL(w.size(), 4u);
  CAF_CHECK_EQUAL(w.percentile(0.25), std::chrono::milliseconds{1});
}

CAF_TEST(ipc endpoint claims stale files and refuses live ones) {
  test::temp_dir dir{"hb-ipc"};
  auto path = dir.string() + "/sockets/x.ipc";
  auto addr = "ipc://" + path;
  CAF_CHECK(broker::claim_ipc_endpoint(addr).has_value()); // absent: creates the directory
  CAF_CHECK(std::filesystem::is_directory(dir.path() / "sockets"));
  // A live listener.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path.c_str());
  CAF_REQUIRE_EQUAL(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  CAF_REQUIRE_EQUAL(::listen(fd, 4), 0);
  auto live = broker::claim_ipc_endpoint(addr);
  CAF_REQUIRE(!live.has_value());
  CAF_CHECK_EQUAL(live.error(), "address in use by another process: " + addr);
  CAF_CHECK(std::filesystem::exists(path));
  // The listener is gone, the file stays: stale, removed.
  ::close(fd);
  CAF_CHECK(std::filesystem::exists(path));
  CAF_CHECK(broker::claim_ipc_endpoint(addr).has_value());
  CAF_CHECK(!std::filesystem::exists(path));
  CAF_CHECK(broker::claim_ipc_endpoint("tcp://127.0.0.1:1").has_value());
}
