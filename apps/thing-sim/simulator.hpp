#pragma once

// A thing-sim process: every configured server, one event loop. See the
// design note at the top of simulator.cpp.

#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "sim_config.hpp"
#include "sim_server.hpp"
#include "timer_queue.hpp"

namespace holobroker::sim {

class simulator {
public:
  /// `ctx` may be shared with the embedding program (for INPROC clients);
  /// null = the simulator owns its context.
  explicit simulator(sim_config cfg, zmq::context_t* ctx = nullptr);
  ~simulator();

  simulator(const simulator&) = delete;
  simulator& operator=(const simulator&) = delete;

  /// Binds every server; throws std::runtime_error naming what failed.
  void bind();

  /// Lines "server <id> <request-address> events <event-address>", one per
  /// server and IPC/TCP transport, in configuration order.
  std::vector<std::string> listening_lines() const;

  /// Applies a fault given by flag/config: `thing` is a Thing id (in any
  /// server) or "*"; returns an error message if nothing matched.
  std::optional<std::string> apply_fault(const std::string& thing, const fault_spec& spec);

  /// Runs the event loop until request_stop() or SIGINT/SIGTERM (if
  /// `handle_signals`); returns the exit code (0). An `exit` fault ends the
  /// process from inside the loop.
  int run(bool handle_signals);

  /// Thread-safe and async-signal-safe: makes run() return 0.
  void request_stop() noexcept;

  sim_server* find_server(std::string_view id);

private:
  void rebuild_poll_items();

  sim_config cfg_;
  std::unique_ptr<zmq::context_t> own_ctx_;
  zmq::context_t* ctx_;
  timer_queue timers_;
  std::vector<std::unique_ptr<sim_server>> servers_;
  std::vector<zmq::pollitem_t> items_;
  std::vector<std::pair<sim_server*, endpoint*>> item_owner_; ///< null server = control fd
  bool items_dirty_ = true;
  int stop_fd_ = -1;   ///< eventfd written by request_stop()
  int signal_fd_ = -1; ///< signalfd for SIGINT/SIGTERM
};

} // namespace holobroker::sim
