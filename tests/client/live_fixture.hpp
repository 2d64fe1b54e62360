#pragma once

// Integration fixture: a real actor system with the ZeroMQ transports, and
// thing-sim child processes in a fresh temporary directory (TCP on a free
// port read back from its output). Waits are bounded.

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/test/unit_test.hpp>

#include "holobroker/client/client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace holobroker::test {

/// A running thing-sim; `ready` was seen when the constructor returns.
struct sim_process {
  std::string ipc_address, ipc_events, tcp_address, tcp_events;
  std::unique_ptr<child_process> proc;

  sim_process(const std::string& temp_dir, std::vector<std::string> extra = {},
              std::string tcp = "127.0.0.1:0") {
    std::vector<std::string> args{"--temp-dir", temp_dir, "--log-level", "warn"};
    if (!tcp.empty()) {
      args.push_back("--tcp");
      args.push_back(tcp);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    proc = std::make_unique<child_process>(THING_SIM_BINARY, args);
    auto ready = proc->wait_for_line([](const std::string& l) { return l == "ready"; },
                                     std::chrono::seconds{10});
    if (!ready)
      throw std::runtime_error{"thing-sim did not become ready"};
    for (auto& line : proc->lines()) {
      std::istringstream in{line};
      std::string word, id, addr, events_word, events;
      in >> word >> id >> addr >> events_word >> events;
      if (word != "server")
        continue;
      if (addr.rfind("ipc://", 0) == 0) {
        ipc_address = addr;
        ipc_events = events;
      } else if (addr.rfind("tcp://", 0) == 0) {
        tcp_address = addr;
        tcp_events = events;
      }
    }
  }

  void kill() {
    proc->signal(SIGKILL);
    proc->wait_exit(std::chrono::seconds{5});
  }
};

struct live_config : caf::actor_system_config {
  live_config() {
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
    // The policy recommended for fleets: idle workers sleep on a condition
    // variable instead of napping in 10 ms steps (HB_SCHED=stealing to compare).
    set("scheduler.policy", caf::atom("sharing"));
    if (auto policy = std::getenv("HB_SCHED"))
      set("scheduler.policy", caf::atom_from_string(caf::string_view{policy, std::strlen(policy)}));
    client::add_message_types(*this);
  }
};

struct live_fixture {
  temp_dir dir{"holobroker-client"};
  std::shared_ptr<transport::transport_factory> factory = transport::make_zmq_transport_factory();
  live_config cfg;
  caf::actor_system sys{cfg};

  client::client_config config(const std::string& address, std::string server_id = "thing-sim") {
    client::client_config c;
    c.server_id = std::move(server_id);
    c.address = address;
    c.handshake_timeout = std::chrono::seconds{10};
    return c;
  }

  /// Polls `pred` every 5 ms until it holds or `timeout` passes.
  static bool eventually(const std::function<bool()>& pred,
                         std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (pred())
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    return pred();
  }
};

inline std::optional<client::client_errc> code_of(const caf::error& err) {
  return client::client_errc_of(err);
}

inline std::string payload_of(const client::blocking_client::result<client::operation_reply>& r) {
  if (!r)
    return "error: " + client::describe(r.error());
  return r->payload.to_string();
}

} // namespace holobroker::test
