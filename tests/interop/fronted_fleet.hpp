#pragma once

// The real server behind holobrokerd, for the ObjectProxy suites: serve.py
// (server id "lab", IPC + TCP) serves one set of Things per broker front end
// ("<name>-ipc" reached upstream over IPC, "<name>-tcp" over TCP), so the
// IPC and TCP drivers run side by side without touching each other's state.

#include <memory>
#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

#include "interop_fixture.hpp"

namespace holobroker::test::interop {

struct fronted_fleet {
  home_dir home;
  std::unique_ptr<real_server> server;
  std::unique_ptr<broker_process> broker;

  /// `names`: TestThing / spectrometer base names ("thing", "sleepy",
  /// "spectrometer"); each is served as <name>-ipc and <name>-tcp.
  /// `thing_extra`: more keys of each Thing's broker entry (4-space indented).
  explicit fronted_fleet(const std::vector<std::string>& names,
                         const std::string& thing_extra = "") {
    require_peer();
    auto port = free_port_pair();
    std::string things, yaml;
    for (const auto& n : names)
      for (const auto& t : {"-ipc", "-tcp"})
        things += (things.empty() ? "" : ",") + n + t;
    server = std::make_unique<real_server>(home, "lab", things, port);
    for (const auto& n : names) {
      yaml += thing_entry(n + "-ipc", "lab", "IPC", thing_extra);
      yaml += thing_entry(n + "-tcp", "lab", server->address("tcp_server"), thing_extra);
    }
    broker = std::make_unique<broker_process>(home, yaml);
  }

  /// The front-end address an ObjectProxy is given: "IPC" or tcp://...
  std::string access_point(const std::string& transport) const {
    return transport == "ipc" ? "IPC" : broker->frontend("tcp");
  }

  /// The driver for the broker's `transport` ("ipc"/"tcp") front end, on the
  /// `-<transport>` Things.
  std::unique_ptr<driver_process> drive(const std::string& transport,
                                        const std::string& groups,
                                        std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--server-id",   "holobroker",
                                  "--access-point", access_point(transport),
                                  "--thing",        "thing-" + transport,
                                  "--sleepy-thing", "sleepy-" + transport,
                                  "--spectrometer", "spectrometer-" + transport,
                                  "--direct-server-id", "lab",
                                  "--direct-access-point",
                                  transport == "ipc" ? "IPC" : server->address("tcp_server"),
                                  "--groups",       groups};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<driver_process>(home, script("proxy_driver.py"), args,
                                            "driver-" + transport + "-"
                                              + groups.substr(0, groups.find(',')));
  }
};

/// `got` of a check, or a JSON object saying why there is none.
inline nlohmann::json got(const driver_process& d, const std::string& check) {
  auto r = d.result(check);
  if (r.is_null())
    return {{"missing check", check}};
  if (r.contains("got"))
    return r["got"];
  return {{"raised", r["error"]}};
}

/// The observe group's verdict: the 20 changes of a property reached the
/// observer through the broker exactly as a direct client of the server
/// got them, in the same order.
inline void check_observe_matches_direct(const driver_process& d) {
  auto r = got(d, "observe_property_matches_direct");
  CAF_CHECK_EQUAL(r.value("warm", false), true);
  auto expected = nlohmann::json::array();
  for (int i = 0; i < 20; ++i)
    expected.push_back(nlohmann::json::array({i, "x"}));
  CAF_CHECK_EQUAL(r["direct"], expected);
  CAF_CHECK_EQUAL(r["broker"], r["direct"]);
}

/// `error` of a check ({"type", "message"}), or null if it did not raise.
inline nlohmann::json raised(const driver_process& d, const std::string& check) {
  auto r = d.result(check);
  return r.is_object() && r.contains("error") ? r["error"] : nlohmann::json::object();
}

} // namespace holobroker::test::interop
