#pragma once

// Runs the real thing-sim binary for a test, in its own temporary IPC
// directory, and waits (bounded) for its "ready" line.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace holobroker::test {

struct listen_address {
  std::string request;
  std::string events;
};

class sim_process {
public:
  /// Starts thing-sim with `--temp-dir <fresh dir>` plus `args`; throws if it
  /// does not print "ready" within 20 s.
  explicit sim_process(const std::vector<std::string>& args);

  /// Addresses printed for `server_id`; `transport` is "ipc" or "tcp".
  const listen_address& address(const std::string& server_id,
                                const std::string& transport) const;

  const std::string& ipc_dir() const noexcept { return dir_string_; }
  child_process& process() noexcept { return *proc_; }

  /// All "server ..." lines as printed.
  const std::vector<std::string>& server_lines() const noexcept { return server_lines_; }

private:
  holobroker::test::temp_dir dir_;
  std::string dir_string_;
  std::unique_ptr<child_process> proc_;
  std::vector<std::string> server_lines_;
  std::map<std::pair<std::string, std::string>, listen_address> addresses_;
};

/// Path of the thing-sim binary under test.
std::string thing_sim_binary();

} // namespace holobroker::test
