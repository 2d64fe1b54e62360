#define CAF_SUITE daemon_lifecycle
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"
#include "holobroker/wire/remote_exception.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string exception_type(const wire::response& r) {
  auto ex = wire::parse_remote_exception(r.payload.view());
  return ex ? ex->type : std::string{};
}

struct fixture : fleet_fixture {
  /// Polls `thing` until its readproperty answers with `type` (bounded).
  bool eventually(raw_client& c, const std::string& thing, const std::string& prop,
                  wire::message_type type) {
    for (int i = 0; i < 100; ++i) {
      auto r = c.call("holobroker", op(c, thing, prop, "readproperty"), 2s);
      if (r && r->header.type == type)
        return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  /// Polls an introspection action until `pred` holds for its payload (bounded).
  template <class Pred>
  bool poll_action(raw_client& c, const std::string& action, Pred pred) {
    for (int i = 0; i < 200; ++i) {
      auto r = c.call("holobroker", op(c, "holobroker", action, "invokeaction", "{}"), 2s);
      if (r && r->header.type == wire::message_type::reply && pred(json::parse(r->payload.view())))
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  template <class Pred>
  bool poll_status(raw_client& c, Pred pred) { return poll_action(c, "status", pred); }
  template <class Pred>
  bool poll_things(raw_client& c, Pred pred) { return poll_action(c, "things", pred); }

  void reload(const std::string& things) {
    write_file(config_file, config(things));
    daemon->process().signal(SIGHUP);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(daemon_lifecycle_tests, fixture)

CAF_TEST(a hangup reload adds and removes Things without disturbing the others) {
  start_sim();
  start_daemon(sim_thing("spectrometer"));
  auto c = client("raw-client-reload");
  auto m = c->call("holobroker", op(*c, "motor", "position", "readproperty"));
  CAF_REQUIRE(m.has_value());
  CAF_CHECK(m->header.type == wire::message_type::invalid_message);
  // Requests to the untouched Thing keep running during every reload.
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, bad{0};
  std::thread load{[&] {
    raw_client lc{ctx, "raw-client-load", daemon->frontend("ipc")};
    if (!lc.handshake("holobroker")) {
      ++bad;
      return;
    }
    while (!stop) {
      auto r = lc.call("holobroker", op(lc, "spectrometer", "count", "readproperty"), 5s);
      (r && r->header.type == wire::message_type::reply ? ok : bad)++;
    }
  }};
  reload(sim_thing("spectrometer") + sim_thing("motor"));
  CAF_CHECK(eventually(*c, "motor", "position", wire::message_type::reply));
  // An invalid configuration is rejected; the running one stays.
  write_file(config_file, config(sim_thing("spectrometer") + "  - id: broken\n    address: bogus\n"));
  daemon->process().signal(SIGHUP);
  std::this_thread::sleep_for(200ms);
  CAF_CHECK(!daemon->process().exited());
  auto still = c->call("holobroker", op(*c, "motor", "position", "readproperty"));
  CAF_REQUIRE(still.has_value());
  CAF_CHECK(still->header.type == wire::message_type::reply);
  // Removing a Thing while a request to it runs: that request still ends
  // in its REPLY (the connection retires once idle), later ones are refused.
  auto moving = op(*c, "motor", "sleep", "invokeaction", R"({"seconds":0.5})");
  c->send(wire::craft_request("holobroker", moving));
  CAF_REQUIRE(poll_status(*c, [](const json& st) { return st["broker"]["in_flight"] == 1; }));
  reload(sim_thing("spectrometer"));
  auto done = c->await(moving.header.message_id, 5s);
  CAF_REQUIRE(done.has_value());
  CAF_CHECK(done->header.type == wire::message_type::reply);
  CAF_CHECK(eventually(*c, "motor", "position", wire::message_type::invalid_message));
  // Changing a Thing (a new client id) keeps it reachable throughout.
  reload(sim_thing("spectrometer", "IPC", "    client_id: holobroker-spectrometer-2\n"));
  CAF_CHECK(poll_things(*c, [](const json& things) {
    return things.size() == 1 && things[0]["client_id"] == "holobroker-spectrometer-2"
           && things[0]["state"] == "connected";
  }));
  std::this_thread::sleep_for(100ms); // more load on the new connection
  stop = true;
  load.join();
  CAF_CHECK(ok.load() > 0);
  CAF_CHECK_EQUAL(bad.load(), 0);
  auto things = c->call("holobroker", op(*c, "holobroker", "things", "invokeaction", "{}"));
  CAF_REQUIRE(things.has_value());
  CAF_CHECK_EQUAL(json::parse(things->payload.view()).size(), 1u);
}

CAF_TEST(the Things of one server share one connection and each keeps its own bound) {
  start_sim();
  start_daemon(sim_thing("spectrometer") + sim_thing("motor", "IPC", "    max_in_flight: 1\n"));
  auto c = client("raw-client-shared");
  CAF_REQUIRE(poll_things(*c, [](const json& things) {
    return things.size() == 2 && things[0]["state"] == "connected"
           && things[1]["state"] == "connected";
  }));
  auto things = c->call("holobroker", op(*c, "holobroker", "things", "invokeaction", "{}"));
  CAF_REQUIRE(things.has_value());
  auto list = json::parse(things->payload.view());
  CAF_CHECK_EQUAL(list[0]["client_id"], "holobroker|holobroker|thing-sim");
  CAF_CHECK_EQUAL(list[1]["client_id"], "holobroker|holobroker|thing-sim");
  // The motor's one request in flight is its limit; the spectrometer on the
  // same connection is not held up by it.
  auto slow = op(*c, "motor", "sleep", "invokeaction", R"({"seconds":0.5})");
  c->send(wire::craft_request("holobroker", slow));
  CAF_REQUIRE(poll_status(*c, [](const json& st) { return st["broker"]["in_flight"] == 1; }));
  auto refused = c->call("holobroker", op(*c, "motor", "position", "readproperty"), 5s);
  CAF_REQUIRE(refused.has_value());
  CAF_CHECK(refused->header.type == wire::message_type::exception);
  CAF_CHECK_EQUAL(exception_type(*refused), "BlockingIOError");
  auto other = c->call("holobroker", op(*c, "spectrometer", "count", "readproperty"), 5s);
  CAF_REQUIRE(other.has_value());
  CAF_CHECK(other->header.type == wire::message_type::reply);
  auto done = c->await(slow.header.message_id, 5s);
  CAF_REQUIRE(done.has_value());
  CAF_CHECK(done->header.type == wire::message_type::reply);
  // Removing one Thing leaves the connection to the other.
  reload(sim_thing("spectrometer"));
  CAF_CHECK(eventually(*c, "motor", "position", wire::message_type::invalid_message));
  auto still = c->call("holobroker", op(*c, "spectrometer", "count", "readproperty"), 5s);
  CAF_REQUIRE(still.has_value());
  CAF_CHECK(still->header.type == wire::message_type::reply);
}

CAF_TEST(terminate drains so that every request in flight ends in exactly one outcome) {
  start_sim();
  start_daemon(sim_thing("spectrometer") + sim_thing("motor"));
  auto quick_c = client("raw-client-quick");
  auto slow_c = client("raw-client-slow");
  auto quick = op(*quick_c, "motor", "sleep", "invokeaction", R"({"seconds":0.5})");
  auto slow = op(*slow_c, "spectrometer", "sleep", "invokeaction", R"({"seconds":4.0})");
  quick_c->send(wire::craft_request("holobroker", quick));
  slow_c->send(wire::craft_request("holobroker", slow));
  // Both are in flight once the broker counts them.
  auto watcher = client("raw-client-watch");
  CAF_REQUIRE(
    poll_status(*watcher, [](const json& st) { return st["broker"]["in_flight"] == 2; }));
  auto ipc_file = daemon->frontend("ipc").substr(6);
  CAF_CHECK(std::filesystem::exists(ipc_file));
  daemon->process().signal(SIGTERM);
  auto q = quick_c->await(quick.header.message_id, 5s);
  CAF_REQUIRE(q.has_value());
  CAF_CHECK(q->header.type == wire::message_type::reply);
  auto s = slow_c->await(slow.header.message_id, 5s);
  CAF_REQUIRE(s.has_value());
  CAF_CHECK(s->header.type == wire::message_type::exception);
  CAF_CHECK_EQUAL(exception_type(*s), "ConnectionAbortedError");
  // Exactly one outcome: nothing more arrives for either request.
  CAF_CHECK(!quick_c->await(quick.header.message_id, 300ms));
  CAF_CHECK(!slow_c->await(slow.header.message_id, 10ms));
  auto status = daemon->process().wait_exit(10s);
  CAF_REQUIRE(status.has_value());
  CAF_CHECK_EQUAL(exit_code_of(*status), 0);
  CAF_CHECK(!std::filesystem::exists(ipc_file));
}

CAF_TEST(a second daemon on the same address fails with a clear message) {
  start_sim();
  start_daemon(sim_thing("spectrometer"));
  auto [code, output] = run_holobrokerd({"--config", config_file});
  CAF_CHECK_NOT_EQUAL(code, 0);
  CAF_CHECK(output.find("address in use by another process") != std::string::npos);
  CAF_MESSAGE("second daemon said: " << output);
  // The first one still serves, its socket file untouched.
  auto c = client("raw-client-first");
  auto r = c->call("holobroker", op(*c, "spectrometer", "count", "readproperty"));
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->header.type == wire::message_type::reply);
}

CAF_TEST(check-config validates and names file line column and key) {
  temp_dir dir{"holobrokerd-check"};
  auto good = dir.string() + "/good.yaml";
  write_file(good, "broker:\n  id: hb\nthings:\n  - id: spectrometer\n    server_id: sim\n");
  auto [ok_code, ok_out] = run_holobrokerd({"--check-config", "--config", good});
  CAF_CHECK_EQUAL(ok_code, 0);
  CAF_CHECK(ok_out.find("valid") != std::string::npos);
  auto bad = dir.string() + "/bad.yaml";
  write_file(bad, "broker:\n  id: hb\nthings:\n  - id: spectrometer\n    address: bogus\n");
  auto [bad_code, bad_out] = run_holobrokerd({"--check-config", "--config", bad});
  CAF_CHECK_NOT_EQUAL(bad_code, 0);
  CAF_CHECK(bad_out.find("bad.yaml:5:") != std::string::npos);
  CAF_CHECK(bad_out.find("things[0].address") != std::string::npos);
  CAF_MESSAGE("bad config: " << bad_out);
  // The daemon itself refuses to start on it.
  auto [run_code, run_out] = run_holobrokerd({"--config", bad});
  CAF_CHECK_NOT_EQUAL(run_code, 0);
  CAF_CHECK(run_out.find("bad.yaml:5:") != std::string::npos);
  auto [missing_code, missing_out] = run_holobrokerd({"--check-config", "--config",
                                                      dir.string() + "/none.yaml"});
  CAF_CHECK_NOT_EQUAL(missing_code, 0);
  auto [v_code, v_out] = run_holobrokerd({"--version"});
  CAF_CHECK_EQUAL(v_code, 0);
  CAF_CHECK(v_out.rfind("holobrokerd ", 0) == 0);
}

CAF_TEST(systemd hears READY RELOADING and STOPPING) {
  start_sim();
  // A NOTIFY_SOCKET of our own plays systemd.
  auto path = sim->ipc_dir() + "/notify.sock";
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CAF_REQUIRE(fd >= 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path.c_str());
  CAF_REQUIRE_EQUAL(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  auto next_notification = [fd]() -> std::string {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0)
      return {};
    char buf[1024];
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string{};
  };
  write_file(config_file, config(sim_thing("spectrometer")));
  daemon = std::make_unique<daemon_process>(config_file, std::vector<std::string>{},
                                            std::vector<std::string>{"NOTIFY_SOCKET=" + path});
  auto ready = next_notification();
  CAF_CHECK(ready.rfind("READY=1\nSTATUS=", 0) == 0);
  reload(sim_thing("spectrometer") + sim_thing("motor"));
  CAF_CHECK(next_notification().rfind("RELOADING=1", 0) == 0);
  auto again = next_notification();
  CAF_CHECK(again.rfind("READY=1", 0) == 0);
  CAF_CHECK(again.find("2 Things") != std::string::npos);
  daemon->process().signal(SIGTERM);
  CAF_CHECK(next_notification().rfind("STOPPING=1", 0) == 0);
  CAF_CHECK(daemon->process().wait_exit(10s).has_value());
  ::close(fd);
}

CAF_TEST(a fleet beyond the default libzmq socket cap connects on a constant number of threads) {
  // 400 Things cost about 1 200 sockets (ROUTER + monitor PAIRs), more than
  // libzmq's default cap of 1 023 per context.
  constexpr int servers = 40;
  constexpr int things_per_server = 10;
  start_sim({"--servers", std::to_string(servers), "--things",
             std::to_string(things_per_server), "--event-period", "0"});
  std::string things;
  for (int i = 0; i < servers; ++i)
    for (int j = 0; j < things_per_server; ++j)
      things += "  - id: thing-" + std::to_string(i) + "-" + std::to_string(j)
                + "\n    server_id: sim-" + std::to_string(i) + "\n";
  start_daemon(things);
  auto c = client("raw-client-fleet");
  CAF_CHECK(poll_things(*c, [&](const json& list) {
    auto connected = std::count_if(list.begin(), list.end(), [](const json& t) {
      return t["state"] == "connected";
    });
    return connected == servers * things_per_server;
  }));
  auto r = c->call("holobroker", op(*c, "thing-39-9", "integration_time", "readproperty"));
  CAF_REQUIRE(r.has_value());
  CAF_CHECK(r->header.type == wire::message_type::reply);
  // main, one CAF worker per core, CAF's clock, a detached actor, libzmq's
  // I/O and reaper threads, one reactor: independent of the fleet's size.
  std::ifstream status{"/proc/" + std::to_string(daemon->process().pid()) + "/status"};
  std::string line;
  int threads = -1;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0)
      threads = std::stoi(line.substr(8));
  auto cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CAF_CHECK_GREATER(threads, 0);
  CAF_CHECK_LESS_OR_EQUAL(threads, cores + 6);
}

CAF_TEST_FIXTURE_SCOPE_END()
