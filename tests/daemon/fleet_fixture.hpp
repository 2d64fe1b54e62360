#pragma once

// A thing-sim fleet and holobrokerd in front of it, in one fresh temporary
// directory, for the daemon's integration tests.

#include <memory>
#include <string>

#include <zmq.hpp>

#include "../thing_sim/raw_client.hpp"
#include "../thing_sim/sim_process.hpp"
#include "daemon_process.hpp"
#include "support/temp_dir.hpp"

namespace holobroker::test {

/// A `things:` entry for thing-sim's default server.
std::string sim_thing(const std::string& id, const std::string& address = "IPC",
                      const std::string& extra = "");

struct fleet_fixture {
  zmq::context_t ctx{1};
  std::unique_ptr<sim_process> sim;
  std::unique_ptr<daemon_process> daemon;
  std::string config_file;

  /// Starts thing-sim with `sim_args`.
  void start_sim(const std::vector<std::string>& sim_args = {});

  /// The broker configuration: `broker_extra` lines go under `broker:`
  /// (indented by the caller with 2 spaces), `things` is the `things:` list.
  std::string config(const std::string& things, const std::string& broker_extra = "") const;

  /// Writes the configuration and starts the daemon.
  void start_daemon(const std::string& things, const std::string& broker_extra = "");

  /// A raw hololinked client connected to the broker's front end (handshake done).
  std::unique_ptr<raw_client> client(const std::string& identity, const std::string& scheme = "ipc");

  /// An OPERATION addressed to the broker.
  wire::request op(const raw_client& c, const std::string& thing, const std::string& objekt,
                   const std::string& operation, const std::string& payload = "null");
};

} // namespace holobroker::test
