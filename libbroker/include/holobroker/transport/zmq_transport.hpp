#pragma once

// ZeroMQ transports: ROUTER (ZMQ_ROUTER_MANDATORY, so an unroutable peer is
// known at once), socket monitor over inproc PAIR, SUB for events. All
// sockets of one factory share one reactor thread (see reactor.hpp), so the
// thread count does not grow with the number of servers or Things.

#include <memory>
#include <optional>
#include <string>

#include "holobroker/transport/transport.hpp"

namespace zmq {
class context_t;
} // namespace zmq

namespace holobroker::transport {

class reactor;

/// `context` may be shared with in-process servers (required for inproc://);
/// null creates a private one.
/// `io`: the reactor thread to watch the sockets with; null creates one. A
/// process shares one reactor between its factories to keep its thread count
/// down.
/// CURVE for the request and event sockets (Z85 keys): the server's public
/// key and this client's key pair (holobroker keygen). The broker's CURVE
/// front end (security.curve.tcp) and its event publisher's CURVE endpoint
/// (security.curve.event_tcp, by default the port above) share the key.
struct curve_client_keys {
  std::string server_public_key;
  std::string public_key;
  std::string secret_key;
};

std::shared_ptr<transport_factory>
make_zmq_transport_factory(std::shared_ptr<zmq::context_t> context = nullptr,
                           std::shared_ptr<reactor> io = nullptr,
                           std::optional<curve_client_keys> curve = std::nullopt);

} // namespace holobroker::transport
