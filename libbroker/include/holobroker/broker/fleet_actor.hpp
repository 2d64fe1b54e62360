#pragma once

// The fleet: one client connection per configured Thing (its own identity,
// timeouts and policies) and one event subscriber per upstream event
// publisher, announced to the event fan-in. The fleet is the only owner of
// "Thing -> connection": it publishes a thing_directory snapshot on every
// change, which the front end and the router facade follow (watch_atom).
// A reload applies the difference to the running configuration only
// (reload_plan.hpp): untouched Things keep their connection.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/typed_actor.hpp>

#include "holobroker/broker/atoms.hpp"
#include "holobroker/broker/event_fanin_actor.hpp"
#include "holobroker/broker/peer_info.hpp"
#include "holobroker/broker/thing_info.hpp"
#include "holobroker/broker/type_ids.hpp"
#include "holobroker/client/client_config.hpp"
#include "holobroker/client/client_status.hpp"
#include "holobroker/client/operation.hpp"
#include "holobroker/client/thing_directory.hpp"
#include "holobroker/config/broker_config.hpp"

namespace holobroker::transport {
class transport_factory;
} // namespace holobroker::transport

namespace holobroker::broker {

using fleet_actor = client::directory_actor::extend<
  /// One entry per Thing, sorted by id.
  caf::replies_to<get_atom, things_atom>::with<std::vector<thing_info>>,
  /// Federation: one entry per configured peer broker, Things or not (the
  /// plain fleet has none).
  caf::replies_to<get_atom, peers_atom>::with<std::vector<peer_info>>,
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

fleet_actor spawn_fleet(caf::actor_system& sys, config::broker_config initial, fanin_actor fanin,
                        std::shared_ptr<transport::transport_factory> transports);

} // namespace holobroker::broker
