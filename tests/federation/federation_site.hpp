#pragma once

// One site of a federation test: a thing-sim fleet of its own and a
// holobrokerd in front of it, with a federation endpoint on a port chosen
// up front (so that peers can name it and a restarted broker keeps it).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "daemon/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "thing_sim/raw_client.hpp"
#include "thing_sim/sim_process.hpp"

namespace holobroker::test {

/// A TCP port that was free a moment ago (bound to port 0, then closed).
std::uint16_t free_port();

struct site {
  std::string broker_id;       ///< e.g. "broker-a"
  std::string server_id;       ///< thing-sim's server id, e.g. "sim-a"
  std::vector<std::string> things; ///< spectrometer Things served by the sim and the broker
  std::vector<std::string> sim_only; ///< served by the sim, not (yet) in the broker's config
  std::uint16_t port = 0;      ///< federation endpoint
  std::string federation_yaml; ///< lines under broker.federation (besides listen)
  std::vector<std::uint16_t> peers;
  std::string extra_yaml;      ///< more lines under `broker:`
  std::string defaults_yaml;   ///< lines under `defaults:`

  std::unique_ptr<temp_dir> dir;
  std::unique_ptr<sim_process> sim;
  std::unique_ptr<daemon_process> daemon;
  std::string config_file;

  site(std::string broker, std::string server, std::vector<std::string> thing_ids);
  /// FEDERATION_TEST_LOGS=1 prints the broker's log to stderr.
  ~site();

  void start_sim();
  /// start_sim(), then start_broker().
  void start() {
    start_sim();
    start_broker();
  }
  /// Writes the configuration and starts holobrokerd (stderr to <dir>/broker.log).
  void start_broker();
  void write_config();
  std::string log_path() const { return dir->string() + "/broker.log"; }
};

/// A raw hololinked client of a site's broker (IPC front end), handshake done.
std::unique_ptr<raw_client> client_of(zmq::context_t& ctx, site& s, const std::string& identity);

/// One request through `s`'s broker; nullopt when no answer within `timeout`.
std::optional<wire::response> call(raw_client& c, site& s, const std::string& thing,
                                   const std::string& objekt, const std::string& op,
                                   const std::string& payload = "null",
                                   std::chrono::milliseconds timeout = std::chrono::seconds{10});

/// The broker's `things` document.
nlohmann::json things_of(raw_client& c, site& s);

/// The entry of `thing` in `things`, or null.
nlohmann::json entry_of(const nlohmann::json& things, const std::string& thing);

/// Polls `things` until `pred(entry of thing)` holds or `timeout` passes.
bool wait_for_thing(raw_client& c, site& s, const std::string& thing,
                    const std::function<bool(const nlohmann::json&)>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds{10});

} // namespace holobroker::test
