#pragma once

// holobrokerd as a child process of the benchmark, with a configuration
// generated into the work directory: the given Things, front end on IPC
// (and TCP on a free port when asked), logging at warn, plus whatever YAML a
// benchmark group adds (security, federation, limits). The child is killed
// and reaped when the object goes, on every exit path.

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
  std::string broker_yaml; ///< more lines under `broker:` (indented 2), e.g. federation
  std::string top_yaml;    ///< more top-level sections, e.g. security, limits
};

class daemon_process {
public:
  /// Writes the configuration, starts holobrokerd and waits for `ready`;
  /// throws naming the log file.
  explicit daemon_process(const daemon_options& opts);
  ~daemon_process();

  /// The front end's request address over `transport` ("ipc"/"tcp", or
  /// "curve": the CURVE front end, when configured).
  const std::string& frontend(const std::string& transport) const;
  /// Rewrites the configuration file from `opts` (for a SIGHUP reload).
  void rewrite_config(const daemon_options& opts) const;
  /// Sends `sig` to the daemon.
  void signal(int sig) { child_->signal(sig); }
  /// Waits for the daemon to exit (after a signal); false on timeout.
  bool wait_exit(std::chrono::milliseconds timeout) { return child_->wait_exit(timeout).has_value(); }
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
  std::string curve_;
  std::string config_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<child_process> child_;
};

/// The YAML configuration `opts` describes.
std::string daemon_config_yaml(const daemon_options& opts);

} // namespace holobroker::bench
