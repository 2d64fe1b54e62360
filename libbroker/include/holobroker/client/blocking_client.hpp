#pragma once

// A blocking facade over a client actor for non-actor C++ code (what
// hololinked's SyncZMQClient is). Thread-safe: each call waits on its own
// scoped actor; the client actor serializes the socket work.

#include <memory>
#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "holobroker/client/client_actor.hpp"
#include "holobroker/expected.hpp"

namespace holobroker::client {

class blocking_client {
public:
  template <class T>
  using result = expected<T, caf::error>;

  /// Spawns a client actor (shut down again by the destructor).
  blocking_client(caf::actor_system& sys, client_config cfg,
                  std::shared_ptr<transport::transport_factory> transports);
  ~blocking_client();

  blocking_client(const blocking_client&) = delete;
  blocking_client& operator=(const blocking_client&) = delete;

  /// Waits for the handshake; the time it took, or `connection`.
  result<caf::timespan> wait_connected();

  /// Sends and waits for the reply or error (never longer than the deadline).
  result<operation_reply> execute(operation_request req);
  result<operation_reply> read_property(std::string thing_id, std::string name,
                                        request_options options = {});
  result<operation_reply> write_property(std::string thing_id, std::string name,
                                         std::string value_json, request_options options = {});
  result<operation_reply> invoke_action(std::string thing_id, std::string name,
                                        std::string kwargs_json = "{}",
                                        request_options options = {});
  /// Sends without waiting for the server; the message id once sent.
  result<std::string> oneway(operation_request req);
  result<client_status> status();

  const client_actor& handle() const noexcept { return client_; }

private:
  caf::actor_system& sys_;
  client_actor client_;
};

} // namespace holobroker::client
