#pragma once

// The fleet: one client connection per configured Thing (its own identity,
// timeouts and policies), registered with the router, and one event
// subscriber per upstream event publisher, announced to the event fan-in.
// A reload applies the difference to the running configuration only
// (reload_plan.hpp): untouched Things keep their connection.

#include <cstdint>
#include <memory>
#include <string>

#include <caf/typed_actor.hpp>

#include "holobroker/broker/atoms.hpp"
#include "holobroker/broker/event_fanin_actor.hpp"
#include "holobroker/broker/type_ids.hpp"
#include "holobroker/client/client_config.hpp"
#include "holobroker/client/operation.hpp"
#include "holobroker/client/router_actor.hpp"
#include "holobroker/config/broker_config.hpp"

namespace holobroker::transport {
class transport_factory;
} // namespace holobroker::transport

namespace holobroker::broker {

using fleet_actor = caf::typed_actor<
  /// Sends a oneway request on the Thing's connection; answers with its
  /// message id once sent, `unknown_thing` if no such Thing.
  caf::replies_to<oneway_atom, client::operation_request>::with<std::string>,
  /// JSON array, one object per Thing (sorted by id): id, server_id,
  /// address, event_address, client_id, connected, handshake_done and the
  /// connection's counters under "connection" (null when it did not answer).
  caf::replies_to<get_atom, things_atom>::with<std::string>,
  /// Applies a new configuration; answers with a summary of the changes.
  caf::replies_to<reload_atom, config::broker_config>::with<std::string>,
  /// How many reloads were applied since start.
  caf::replies_to<get_atom, reload_atom>::with<std::uint64_t>,
  /// Closes every connection and subscriber (end of drain).
  caf::reacts_to<close_atom>>;

/// The client configuration of one Thing's connection; an error names the
/// Thing when its address does not resolve.
expected<client::client_config, std::string>
make_client_config(const config::thing_config& thing, const std::string& temp_dir);

/// The Thing's event publisher address (configured, or derived from its address).
expected<std::string, std::string> event_address_of(const config::thing_config& thing,
                                                    const std::string& temp_dir);

fleet_actor spawn_fleet(caf::actor_system& sys, config::broker_config initial,
                        client::router_actor router, fanin_actor fanin,
                        std::shared_ptr<transport::transport_factory> transports);

} // namespace holobroker::broker
