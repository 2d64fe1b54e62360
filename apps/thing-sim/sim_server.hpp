#pragma once

// One simulated hololinked server: a ROUTER (+ event PUB) per transport, all
// with routing id = server id, hosting one or more simulated Things. It is
// driven by the event loop in simulator.cpp: `on_readable` when a ROUTER has
// messages, timers through the shared timer_queue. It answers exactly like
// hololinked 0.4's RPC server (golden README §5-§10); see README.md for the
// few documented deviations.

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "fault.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/response.hpp"
#include "sim_config.hpp"
#include "thing.hpp"
#include "timer_queue.hpp"

namespace holobroker::sim {

enum class transport { ipc, tcp, inproc };

/// One listening transport of a server.
struct endpoint {
  transport kind;
  std::string request_address; ///< what clients connect to
  std::string event_address;   ///< the event PUB socket
  std::unique_ptr<zmq::socket_t> router;
  std::unique_ptr<zmq::socket_t> pub;
};

struct server_options {
  std::string temp_dir;           ///< IPC base directory
  bool ipc = true;
  std::optional<std::string> tcp; ///< "host:port" for this server (port 0 = any)
  bool inproc = true;
  unsigned seed = 1;
  /// Called when a fault asks the process to exit (default: std::_Exit).
  std::function<void(int)> on_exit;
  /// Called whenever the set of ROUTER sockets changes (restart).
  std::function<void()> on_sockets_changed;
};

class sim_server final : public thing_host {
public:
  sim_server(zmq::context_t& ctx, server_spec spec, server_options opts, timer_queue& timers);
  ~sim_server() override;

  sim_server(const sim_server&) = delete;
  sim_server& operator=(const sim_server&) = delete;

  const std::string& id() const noexcept { return spec_.id; }

  /// Binds every transport; throws std::runtime_error naming the address.
  void bind();

  /// Closes every socket and removes the IPC socket files.
  void close();

  /// The bound transports (sockets are null while a restart fault is in effect).
  const std::vector<std::unique_ptr<endpoint>>& endpoints() const noexcept { return endpoints_; }

  /// Handles the messages waiting on `ep` (at most a batch, for fairness).
  void on_readable(endpoint& ep);

  /// Applies a fault to `thing_id` ("*" = every Thing of this server).
  std::optional<std::string> apply_fault(const std::string& thing_id, const fault_spec& spec);

  simulated_thing* find_thing(std::string_view thing_id);

  // thing_host
  void publish(std::string_view thing_id, std::string_view event_name,
               wire::shared_bytes payload, wire::shared_bytes preserialized) override;
  timer_id schedule(std::chrono::nanoseconds delay, timer_queue::callback fn) override;
  void cancel(timer_id id) override;

private:
  struct job {
    wire::request req;
    endpoint* ep = nullptr;
    std::uint64_t generation = 0;
    timer_id invokation_timer = 0;
    timer_id execution_timer = 0;
    bool invokation_expired = false;
    bool execution_expired = false;
  };
  using job_ptr = std::shared_ptr<job>;

  struct thing_slot {
    std::unique_ptr<simulated_thing> thing;
    std::deque<job_ptr> queue;
    bool busy = false;
    bool served_any = false;
    fault_state faults;
  };

  void handle(endpoint& ep, wire::multipart&& frames);
  void accept_operation(endpoint& ep, wire::request&& req);
  void start_next(thing_slot& slot);
  /// Runs `j`; `owner` is null when `j` lives on the caller's stack (the
  /// common instantaneous case): it is moved to the heap only if deferred.
  void execute(thing_slot& slot, job& j, job_ptr owner);
  void finish(thing_slot& slot, const job& j, const outcome& out, bool fault_exempt);

  outcome thing_description(const job& j, const nlohmann::json& kwargs);
  outcome sim_fault(thing_slot& slot, const nlohmann::json& kwargs,
                    std::function<void()>& after_reply);

  /// `routing` is the request's frame 0; reused when it equals the header's
  /// senderID (the usual case), else the reply goes to senderID.
  void reply(endpoint& ep, const wire::request_header& req, wire::message_type type,
             wire::shared_bytes payload, wire::shared_bytes preserialized = wire::empty_frame(),
             bool preencoded_json = false, const wire::shared_bytes& routing = {});
  void reply_error(endpoint& ep, const wire::request_header& req, wire::message_type type,
                   const wire::remote_exception& ex);
  void send_garbage(endpoint& ep, const wire::request_header& req);

  void bind_endpoints();
  void restart(double down_ms);
  void reset_things();

  zmq::context_t& ctx_;
  server_spec spec_;
  server_options opts_;
  timer_queue& timers_;
  std::vector<std::unique_ptr<endpoint>> endpoints_;
  std::vector<thing_slot> slots_;
  std::unordered_map<std::string, std::size_t> slot_index_;
  std::vector<std::string> ipc_files_;
  std::uint64_t generation_ = 0; ///< bumped by restarts: stale jobs are dropped
  bool stopped_ = false;         ///< an EXIT message ended the request loop
  bool restart_pending_ = false; ///< a restart fault is due: read nothing more
};

} // namespace holobroker::sim
