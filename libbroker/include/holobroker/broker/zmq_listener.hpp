#pragma once

// ZeroMQ listeners: ROUTER (ROUTER_MANDATORY, so a reply to a client that
// went away is reported instead of vanishing) and XPUB (manual last-value
// mode, see listener.hpp and zmq_listener.cpp).
// Their fds are watched by one reactor thread of the factory, so the
// broker's own sockets add one thread in total, whatever the fleet size.

#include <memory>

#include "holobroker/broker/listener.hpp"

namespace zmq {
class context_t;
} // namespace zmq

namespace holobroker::transport {
class reactor;
} // namespace holobroker::transport

namespace holobroker::broker {

/// `context` must be the one of the fleet's transports for inproc:// to work.
/// `io` watches the bound sockets; null creates a reactor thread of its own.
std::shared_ptr<listener_factory>
make_zmq_listener_factory(std::shared_ptr<zmq::context_t> context,
                          std::shared_ptr<transport::reactor> io = nullptr);

} // namespace holobroker::broker
