#pragma once

// The soak's clients of holobrokerd, raw hololinked 0.4 clients (a ROUTER
// socket per identity, as hololinked's own clients), all driven from the
// soak's one thread:
// - load clients keep a window of requests in flight (reads, writes, actions,
//   oneway writes, the broker's own actions) and account every answer in
//   the ledger;
// - a vandal sends malformed messages (wrong frame counts, headers that are
//   not JSON or lack the server context, unknown header keys, EXIT, empty
//   payloads, random frames); those the rules answer must get exactly one
//   INVALID_MESSAGE / EXCEPTION / HANDSHAKE, the others none;
// - ghosts connect, send requests (some slow) and close at once without
//   reading: the broker must drop their answers without harm.

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "ledger.hpp"

namespace holobroker::soak {

struct fleet_shape {
  std::size_t servers = 3;
};

class clients {
public:
  clients(zmq::context_t& ctx, std::string frontend, ledger& book, fleet_shape fleet,
          std::size_t load_clients, std::size_t window, std::uint32_t seed);

  /// Handshakes every load client and the vandal; throws when the broker
  /// does not answer.
  void connect();
  /// Tops up every load client's window (not when `draining`).
  void send_load(clock_type::time_point now, bool draining);
  /// One malformed message from the vandal.
  void send_malformed(clock_type::time_point now);
  /// A client that sends requests and vanishes.
  void ghost();
  /// Waits up to `timeout` for answers and accounts all that arrived.
  void receive(std::chrono::milliseconds timeout);

  /// After the faults: every Thing of the full fleet answers a read with
  /// REPLY again (within a bounded wait, as the broker reconnects). Returns
  /// the Things that did not.
  std::vector<std::string> check_serving();

  std::uint64_t malformed_sent() const noexcept { return malformed_; }
  std::uint64_t ghosts() const noexcept { return ghosts_; }
  std::uint64_t unparsable() const noexcept { return unparsable_; }

private:
  struct peer {
    std::unique_ptr<zmq::socket_t> socket;
    std::string identity;
    std::size_t book = 0; ///< ledger client index
    std::size_t in_flight = 0;
  };
  peer make_peer(const std::string& identity, std::size_t book);
  void handshake(peer& p);
  void send_request(peer& p, clock_type::time_point now);
  void take(peer& p);

  zmq::context_t& ctx_;
  std::string frontend_;
  ledger& book_;
  fleet_shape fleet_;
  std::size_t window_;
  std::mt19937 rng_;
  std::vector<peer> load_;
  peer vandal_;
  std::uint64_t malformed_ = 0;
  std::uint64_t ghosts_ = 0;
  std::uint64_t unparsable_ = 0;
  std::uint64_t vandal_step_ = 0;
};

} // namespace holobroker::soak
