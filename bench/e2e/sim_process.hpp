#pragma once

// thing-sim as a child process of the benchmark: started with its own IPC
// directory, periodic events off (they would only add noise), and the
// addresses it announces read back.

#include <map>
#include <memory>
#include <string>

#include "support/process.hpp"

namespace holobroker::bench {

using test::child_process;

struct sim_options {
  std::string program;  ///< path of thing-sim
  std::string work_dir; ///< IPC base directory and log file location
  int servers = 1;      ///< generated servers sim-<i> ...
  int things = 1;       ///< ... with Things thing-<i>-<j>
  int first_server = 0; ///< i counts from here (thing-sim --first-server)
  bool tcp = false;     ///< also listen on TCP (free ports)
};

struct sim_server_addresses {
  std::string ipc; ///< request address over IPC
  std::string tcp; ///< request address over TCP, empty when not listening
};

class sim_process {
public:
  /// Starts thing-sim and waits for `ready`; throws naming the log file.
  explicit sim_process(const sim_options& opts);

  const std::map<std::string, sim_server_addresses>& servers() const noexcept {
    return servers_;
  }
  /// The request address of `server_id` over `transport` ("ipc"/"tcp").
  const std::string& address(const std::string& server_id, const std::string& transport) const;

  pid_t pid() const noexcept { return child_->pid(); }

private:
  std::unique_ptr<child_process> child_;
  std::map<std::string, sim_server_addresses> servers_;
};

} // namespace holobroker::bench
