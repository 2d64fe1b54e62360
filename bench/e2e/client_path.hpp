#pragma once

// The client-actor path: requests through the typed CAF API of one
// client_actor (the library's AsyncZMQClient) to thing-sim.
//   measure()          - a CAF driver actor, what an actor program does:
//                        one request in flight for the round trip, then a
//                        window of requests in flight for throughput;
//   measure_blocking() - the blocking facade (blocking_client), what
//                        non-actor code does, one request at a time.

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "figures.hpp"
#include "holobroker/client/blocking_client.hpp"
#include "holobroker/client/client_actor.hpp"
#include "workload.hpp"

namespace holobroker::transport {
class transport_factory;
} // namespace holobroker::transport

namespace holobroker::bench {

class client_path {
public:
  /// Spawns one client actor (and one blocking client) for `server_id` at
  /// `address` and waits for both handshakes; throws if they fail.
  client_path(caf::actor_system& sys, std::shared_ptr<transport::transport_factory> transports,
              const std::string& address, const std::string& server_id);
  ~client_path();

  client_path(const client_path&) = delete;
  client_path& operator=(const client_path&) = delete;

  path_figures measure(const workload& w, const std::string& thing_id, int window);

  /// Round trips only (throughput fields stay 0).
  path_figures measure_blocking(const workload& w, const std::string& thing_id);

private:
  caf::actor_system& sys_;
  client::client_actor client_;
  std::unique_ptr<client::blocking_client> blocking_;
};

/// The client-side request of workload `w` on `thing_id`.
client::operation_request make_operation_request(const workload& w, const std::string& thing_id);

} // namespace holobroker::bench
