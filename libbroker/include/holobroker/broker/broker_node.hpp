#pragma once

// A running broker inside an actor system: fleet, event fan-in, front end
// and the router facade wired together and listening. Requests travel
// front end -> the Thing's client actor -> front end; the fleet owns the
// Thing -> connection map, which the front end and the router follow. holobrokerd is this plus signals,
// logging and systemd; tests run it in process too. The member functions
// block the calling thread (scoped actors) and must not be called from
// inside an actor.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "holobroker/broker/event_fanin_actor.hpp"
#include "holobroker/broker/fleet_actor.hpp"
#include "holobroker/broker/frontend_actor.hpp"
#include "holobroker/broker/td_rewriter.hpp"
#include "holobroker/client/router_actor.hpp"
#include "holobroker/config/broker_config.hpp"
#include "holobroker/expected.hpp"
#include "holobroker/federation/federation.hpp"
#include "holobroker/security/authorizer.hpp"
#include "holobroker/security/zap_handler.hpp"

namespace zmq {
class context_t;
} // namespace zmq

namespace holobroker::broker {

/// What the configuration asks the front end and event publisher to bind,
/// before binding (TCP port 0 = any free port).
broker_endpoints configured_endpoints(const config::broker_config& cfg);

struct drain_result {
  std::uint64_t completed = 0; ///< in flight at the start and answered in time
  std::uint64_t failed = 0;    ///< failed at the end of the grace period
};

class broker_node {
public:
  /// Binds the front end and event publisher and connects the fleet. Errors
  /// name what failed, e.g. "address in use by another process: ipc://...".
  /// Publishes the router through the middleman when the configuration
  /// names a port (the system must have loaded caf::io::middleman).
  static expected<std::unique_ptr<broker_node>, std::string>
  start(caf::actor_system& sys, const config::broker_config& cfg,
        std::shared_ptr<zmq::context_t> context = nullptr);

  ~broker_node();

  broker_node(const broker_node&) = delete;
  broker_node& operator=(const broker_node&) = delete;

  /// The addresses actually listened on (TCP ports resolved).
  const broker_endpoints& endpoints() const noexcept { return endpoints_; }
  /// The CURVE front end (`curve+tcp://HOST:PORT`), empty when not configured.
  const std::string& curve_endpoint() const noexcept { return curve_endpoint_; }
  /// The event publisher's CURVE endpoint (`curve+tcp://HOST:PORT`), empty
  /// when not configured.
  const std::string& curve_event_endpoint() const noexcept { return curve_event_endpoint_; }
  /// The router's middleman port, 0 when not published.
  std::uint16_t middleman_port() const noexcept { return middleman_port_; }
  /// The federation endpoint's port (broker.federation), 0 when not configured.
  std::uint16_t federation_port() const noexcept { return federation_port_; }

  client::router_actor router() const { return router_; }

  /// The status document (JSON; shape in introspection.hpp), exactly what
  /// the broker's `status` action answers. Fails when the actors do not
  /// answer within `timeout`. Safe to call from any thread that is not an
  /// actor's (the HTTP server's).
  expected<std::string, std::string> status(caf::timespan timeout = std::chrono::seconds{5});

  /// Applies a validated configuration; answers with the summary of changes.
  /// Restart-only settings keep their running values (the fleet's reload
  /// plan warns about each); a file without the security section the node
  /// started with keeps the running security whole.
  expected<std::string, std::string> reload(const config::broker_config& next);

  /// Stops accepting, waits for requests in flight up to `grace`, fails the
  /// rest, closes the sockets and the fleet's connections.
  drain_result drain(caf::timespan grace);

private:
  broker_node(caf::actor_system& sys) : sys_(sys) {}

  caf::actor_system& sys_;
  broker_endpoints endpoints_;
  std::uint16_t middleman_port_ = 0;
  client::router_actor router_;
  fanin_actor fanin_;
  /// What the front end and the router follow: the fleet, or with
  /// federation the merged directory in front of it.
  fleet_actor fleet_;
  fleet_actor local_fleet_;
  federation::endpoint_actor endpoint_;
  std::uint16_t federation_port_ = 0;
  frontend_actor frontend_;
  bool drained_ = false;
  std::string curve_endpoint_;
  std::string curve_event_endpoint_;
  /// Declared after the actors: destroyed only once they are told to exit.
  std::unique_ptr<security::zap_handler> zap_;
  std::shared_ptr<security::authorizer> authorizer_;
  bool security_enabled_ = false; ///< at start: a ZAP handler runs
  /// The event publisher decides each subscription (zap_settings::events_filtered).
  bool events_filtered_ = false;
  /// The security section in force (the start's, then each reload's).
  config::security_config running_security_;
};

/// Publishes `router` at host:port (port 0: any free port) through the
/// middleman; answers with the port.
expected<std::uint16_t, std::string> publish_router(caf::actor_system& sys,
                                                    const client::router_actor& router,
                                                    std::uint16_t port, const std::string& host);

} // namespace holobroker::broker
