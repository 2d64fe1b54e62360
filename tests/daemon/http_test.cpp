// holobrokerd's HTTP endpoint for operators (broker.http): /metrics parses
// as Prometheus text and follows the traffic, /status is the `status`
// document, and the fleet page at / shows the fleet in a real browser
// (headless Chromium from Debian's `chromium` package).
#define CAF_SUITE daemon_http
#include <caf/test/unit_test.hpp>

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"
#include "prometheus_text.hpp"
#include "support/command_run.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;

namespace {

struct http_fixture : fleet_fixture {
  temp_dir scratch{"holobroker-http"};
  /// A second server whose Thing (thing-0-0) the tests disconnect by stopping it.
  std::unique_ptr<sim_process> far;

  http_fixture() {
    start_sim();
    far = std::make_unique<sim_process>(std::vector<std::string>{
      "--no-ipc", "--tcp", "127.0.0.1:0", "--servers", "1", "--things", "1", "--event-period",
      "0"});
    start_daemon(sim_thing("spectrometer", "IPC", "    events: [measurement]\n")
                   + sim_thing("motor") + "  - id: thing-0-0\n    server_id: sim-0\n"
                   + "    address: \"" + far->address("sim-0", "tcp").request + "\"\n",
                 "  http:\n    listen: 127.0.0.1:0\n");
  }

  std::pair<int, std::string> get(const std::string& path) {
    httplib::Client cli{daemon->http_url()};
    cli.set_connection_timeout(5, 0);
    cli.set_read_timeout(10, 0);
    auto res = cli.Get(path.c_str());
    if (!res)
      return {0, httplib::to_string(res.error())};
    return {res->status, res->body};
  }

  exposition scrape() {
    auto [code, body] = get("/metrics");
    CAF_REQUIRE_EQUAL(code, 200);
    auto parsed = parse_exposition(body);
    if (!parsed)
      CAF_FAIL("/metrics does not parse: " << parsed.error() << "\n" << body);
    return *parsed;
  }

  json status() {
    auto [code, body] = get("/status");
    CAF_REQUIRE_EQUAL(code, 200);
    return json::parse(body);
  }

  /// Polls `pred` every 20 ms for up to 15 s.
  template <class Pred>
  bool eventually(Pred pred) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{15};
    while (std::chrono::steady_clock::now() < until) {
      if (pred())
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return pred();
  }

  std::string state_of(const std::string& thing) {
    auto doc = status(); // kept: the loop iterates a member of it
    for (const auto& t : doc.at("things"))
      if (t.at("id") == thing)
        return t.at("state").get<std::string>();
    return "absent";
  }

  /// Stops the far server once its Thing is connected (before the
  /// handshake a lost server reads as "connecting", not "disconnected").
  void disconnect_far_thing() {
    if (!eventually([this] { return state_of("thing-0-0") == "connected"; }))
      CAF_FAIL("thing-0-0 did not connect: " << status().dump());
    far.reset();
    CAF_REQUIRE(eventually([this] { return state_of("thing-0-0") == "disconnected"; }));
  }
};

const std::string spectrometer = "{thing=\"spectrometer\"}";

std::string with_type(const std::string& type) {
  return "{thing=\"spectrometer\",type=\"" + type + "\"}";
}

bool is_png(const std::string& path, std::uint32_t& width, std::uint32_t& height) {
  std::ifstream in{path, std::ios::binary};
  std::string head(24, '\0');
  if (!in.read(head.data(), 24))
    return false;
  if (head.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || head.compare(12, 4, "IHDR") != 0)
    return false;
  auto be32 = [&](std::size_t at) {
    return (std::uint32_t{static_cast<unsigned char>(head[at])} << 24)
           | (std::uint32_t{static_cast<unsigned char>(head[at + 1])} << 16)
           | (std::uint32_t{static_cast<unsigned char>(head[at + 2])} << 8)
           | std::uint32_t{static_cast<unsigned char>(head[at + 3])};
  };
  width = be32(16);
  height = be32(20);
  return true;
}

/// Debian's chromium, headless, in its own profile under `dir`, bounded.
command_result chromium(const std::string& dir, std::vector<std::string> args) {
  std::vector<std::string> all{"--headless", "--disable-gpu", "--no-first-run",
                               "--disable-extensions", "--disable-dev-shm-usage",
                               "--user-data-dir=" + dir + "/profile"};
  if (::geteuid() == 0)
    all.emplace_back("--no-sandbox"); // Chromium refuses to run as root with its sandbox
  all.insert(all.end(), args.begin(), args.end());
  return run_command("/usr/bin/chromium", all, dir, std::chrono::seconds{30});
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(daemon_http_tests, http_fixture)

CAF_TEST(metrics parse as Prometheus text and their counters follow the traffic) {
  auto before = scrape();
  for (const auto& [family, type] :
       std::map<std::string, std::string>{{"holobroker_thing_requests_total", "counter"},
                                          {"holobroker_thing_replies_total", "counter"},
                                          {"holobroker_thing_request_duration_seconds",
                                           "histogram"},
                                          {"holobroker_thing_in_flight_requests", "gauge"},
                                          {"holobroker_thing_connection_state", "gauge"},
                                          {"holobroker_thing_handshake_attempts_total",
                                           "counter"},
                                          {"holobroker_thing_disconnects_total", "counter"},
                                          {"holobroker_clients", "gauge"},
                                          {"holobroker_dropped_messages_total", "counter"},
                                          {"holobroker_invalid_messages_total", "counter"},
                                          {"holobroker_events_received_total", "counter"},
                                          {"holobroker_events_forwarded_total", "counter"},
                                          {"holobroker_thing_queued_requests", "gauge"},
                                          {"holobroker_reloads_total", "counter"},
                                          {"holobroker_uptime_seconds", "gauge"}})
    CAF_CHECK_EQUAL(before.types[family], type);
  auto c = client("raw-metrics");
  for (int i = 0; i < 3; ++i)
    CAF_REQUIRE(c->call("holobroker", op(*c, "spectrometer", "integration_time",
                                         "readproperty")));
  CAF_REQUIRE(c->call("holobroker", op(*c, "spectrometer", "fail", "invokeaction", "{}")));
  auto after = scrape();
  auto delta = [&](const std::string& key) { return after.get(key) - before.get(key); };
  CAF_CHECK_EQUAL(delta("holobroker_thing_requests_total" + spectrometer), 4);
  CAF_CHECK_EQUAL(delta("holobroker_thing_replies_total" + with_type("reply")), 3);
  CAF_CHECK_EQUAL(delta("holobroker_thing_replies_total" + with_type("exception")), 1);
  CAF_CHECK_EQUAL(delta("holobroker_thing_request_duration_seconds_count" + spectrometer), 4);
  CAF_CHECK_EQUAL(after.get("holobroker_thing_request_duration_seconds_bucket{le=\"+Inf\","
                            "thing=\"spectrometer\"}"),
                  after.get("holobroker_thing_request_duration_seconds_count" + spectrometer));
  CAF_CHECK_GREATER(after.get("holobroker_thing_request_duration_seconds_sum" + spectrometer), 0);
  CAF_CHECK_EQUAL(after.get("holobroker_thing_in_flight_requests" + spectrometer), 0);
  CAF_CHECK_GREATER_OR_EQUAL(delta("holobroker_handshakes_total"), 1);
  CAF_CHECK_GREATER_OR_EQUAL(after.get("holobroker_clients"), 1);
  CAF_CHECK_EQUAL(after.get("holobroker_thing_connection_state{state=\"connected\","
                            "thing=\"spectrometer\"}"),
                  1);
  // A malformed message is counted as invalid.
  auto bad = op(*c, "spectrometer", "integration_time", "readproperty");
  auto frames = wire::craft_request("holobroker", bad);
  frames.pop_back();
  c->send(frames);
  CAF_CHECK(c->recv(std::chrono::seconds{5}));
  CAF_CHECK_EQUAL(scrape().get("holobroker_invalid_messages_total")
                    - after.get("holobroker_invalid_messages_total"),
                  1);
  // The spectrometer's measurement events (pinned in the configuration) arrive.
  CAF_CHECK(eventually([&] { return scrape().get("holobroker_events_received_total") > 0; }));
  CAF_CHECK_GREATER(scrape().get("holobroker_thing_last_event_timestamp_seconds" + spectrometer),
                    1.6e9);
  // A server that goes away shows as disconnected, with its disconnect counted.
  disconnect_far_thing();
  CAF_CHECK(eventually([&] {
    auto m = scrape();
    return m.get("holobroker_thing_connection_state{state=\"disconnected\",thing=\"thing-0-0\"}")
             == 1
           && m.get("holobroker_thing_disconnects_total{thing=\"thing-0-0\"}") >= 1;
  }));
  // A reload is counted.
  daemon->process().signal(SIGHUP);
  CAF_CHECK(eventually([&] { return scrape().get("holobroker_reloads_total") == 1; }));
}

CAF_TEST(status over HTTP is the document holobroker status prints) {
  auto doc = status();
  auto cli = run_command(HOLOBROKER_CLI_BINARY,
                         {"--broker", daemon->frontend("ipc"), "--broker-id", "holobroker",
                          "status"},
                         scratch.string());
  CAF_REQUIRE_EQUAL(cli.exit_code, 0);
  auto printed = json::parse(cli.out.at(0));
  CAF_CHECK_EQUAL(doc.at("broker").at("id"), printed.at("broker").at("id"));
  CAF_REQUIRE_EQUAL(doc.at("things").size(), printed.at("things").size());
  for (std::size_t i = 0; i < doc["things"].size(); ++i) {
    CAF_CHECK_EQUAL(doc["things"][i].at("id"), printed["things"][i].at("id"));
    std::set<std::string> a, b;
    for (const auto& [k, v] : doc["things"][i].items())
      a.insert(k);
    for (const auto& [k, v] : printed["things"][i].items())
      b.insert(k);
    CAF_CHECK(a == b); // the same document, not a look-alike
  }
  auto [code, body] = get("/no-such-page");
  CAF_CHECK_EQUAL(code, 404);
}

CAF_TEST(the fleet page lists the Things and shows a disconnected one in headless Chromium) {
  if (!std::filesystem::exists("/usr/bin/chromium"))
    CAF_FAIL("Debian's chromium is needed (scripts/install-deps.sh installs it)");
  disconnect_far_thing();
  auto url = daemon->http_url() + "/";
  // The DOM after the page's script ran: a row per Thing with its state.
  auto dom = chromium(scratch.string(), {"--virtual-time-budget=1000", "--dump-dom", url});
  CAF_REQUIRE_EQUAL(dom.exit_code, 0);
  std::string html;
  for (const auto& line : dom.out)
    html += line + "\n";
  for (const auto& [thing, state] :
       std::map<std::string, std::string>{{"spectrometer", "connected"},
                                          {"motor", "connected"},
                                          {"thing-0-0", "disconnected"}}) {
    auto at = html.find("data-thing=\"" + thing + "\"");
    if (at == std::string::npos)
      CAF_FAIL("no row for " << thing << " in\n" << html);
    auto row = html.substr(at, html.find("</tr>", at) - at);
    CAF_MESSAGE(thing << ": " << row);
    CAF_CHECK(row.find("data-state=\"" + state + "\"") != std::string::npos);
    CAF_CHECK(row.find(">" + state + "<") != std::string::npos); // the visible badge
  }
  // A screenshot at wall-screen size: a real PNG of that size.
  auto png = scratch.string() + "/fleet.png";
  auto shot = chromium(scratch.string(), {"--virtual-time-budget=1000", "--hide-scrollbars",
                                          "--window-size=1280,720", "--screenshot=" + png, url});
  CAF_REQUIRE_EQUAL(shot.exit_code, 0);
  std::uint32_t width = 0, height = 0;
  if (!is_png(png, width, height))
    CAF_FAIL(png << " is not a PNG");
  CAF_CHECK_EQUAL(width, 1280u);
  CAF_CHECK_EQUAL(height, 720u);
  CAF_CHECK_GREATER(std::filesystem::file_size(png), 5000u); // not a blank page
  // HOLOBROKER_TEST_ARTIFACTS=DIR keeps the screenshot for a look.
  if (const char* keep = std::getenv("HOLOBROKER_TEST_ARTIFACTS"); keep && *keep)
    std::filesystem::copy_file(png, std::string{keep} + "/fleet.png",
                               std::filesystem::copy_options::overwrite_existing);
}

CAF_TEST_FIXTURE_SCOPE_END()
