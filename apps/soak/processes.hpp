#pragma once

// The processes a soak run drives: thing-sim servers (one process per
// server, so that one can be killed, stopped or restarted alone) and
// holobrokerd in front of them, all in one temporary directory (IPC sockets,
// configuration files, logs).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace holobroker::soak {

struct paths {
  std::string holobrokerd;
  std::string thing_sim;
  std::string dir; ///< the run's directory: sockets/, *.yaml, *.log
};

/// One thing-sim process serving server `sim-<i>` with `spec-<i>` and `motor-<i>`.
class sim_server {
public:
  sim_server(const paths& p, std::size_t index);
  void start();
  /// SIGKILL (a crash: IPC files stay) or SIGTERM (a clean stop).
  void stop(int signal);
  void pause();  ///< SIGSTOP, until it has stopped
  void resume(); ///< SIGCONT
  bool running() const { return proc_ != nullptr; }
  bool paused() const { return paused_; }
  /// Whether it died by itself (it must not).
  bool crashed();
  std::string server_id() const { return "sim-" + std::to_string(index_); }

private:
  paths paths_;
  std::size_t index_;
  std::string config_;
  std::unique_ptr<test::child_process> proc_;
  bool paused_ = false;
};

/// holobrokerd with a configuration it can be told to reload.
class broker_daemon {
public:
  /// `things` is the `things:` list of the first configuration.
  broker_daemon(const paths& p, const std::string& things);
  /// Writes `things` as the new configuration and sends SIGHUP.
  void reload(const std::string& things);
  /// The front end's IPC address.
  const std::string& frontend() const { return frontend_; }
  int pid() const { return proc_->pid(); }
  bool exited() { return proc_->exited(); }
  /// SIGTERM and wait; the exit code (-signal when killed), nullopt on timeout.
  std::optional<int> terminate();
  /// Resident memory (VmRSS) in KiB, 0 if unreadable.
  long rss_kib() const;

private:
  void write_config(const std::string& things) const;
  paths paths_;
  std::string config_;
  std::string frontend_;
  std::unique_ptr<test::child_process> proc_;
};

/// The `things:` entries for servers 0..n-1, without `motor-<skip>` when given.
std::string things_yaml(std::size_t servers, std::optional<std::size_t> skip_motor = {});

} // namespace holobroker::soak
