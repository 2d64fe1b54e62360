#pragma once

// holobrokerd as a child process of the benchmark, with a configuration
// generated into the work directory: the given Things, front end on IPC
// (and TCP on a free port when asked), logging at warn.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace holobroker::bench {

using test::child_process;

struct daemon_thing {
  std::string thing_id;
  std::string server_id;
  std::string address; ///< ipc://… or tcp://…
};

struct daemon_options {
  std::string program;  ///< path of holobrokerd
  std::string work_dir; ///< temp_dir of the broker, config and log file
  std::string broker_id = "bench-broker";
  bool tcp = false;     ///< front end also on TCP (free port)
  std::vector<daemon_thing> things;
};

class daemon_process {
public:
  /// Writes the configuration, starts holobrokerd and waits for `ready`;
  /// throws naming the log file.
  explicit daemon_process(const daemon_options& opts);
  ~daemon_process();

  /// The front end's request address over `transport` ("ipc"/"tcp").
  const std::string& frontend(const std::string& transport) const;
  const std::string& broker_id() const noexcept { return id_; }
  pid_t pid() const noexcept { return child_->pid(); }
  /// Where its stderr (the log) goes.
  const std::string& log_file() const noexcept { return child_->stderr_log(); }
  /// When the process was started (just before fork).
  std::chrono::steady_clock::time_point started() const noexcept { return started_; }

private:
  std::string id_;
  std::string ipc_;
  std::string tcp_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<child_process> child_;
};

/// The YAML configuration `opts` describes.
std::string daemon_config_yaml(const daemon_options& opts);

} // namespace holobroker::bench
