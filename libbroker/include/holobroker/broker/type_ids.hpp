#pragma once

// Types the broker's actors exchange locally. The configuration never
// leaves the process (a reload is a local message), so it is allowed as an
// unsafe (not serializable) message type instead of being made inspectable;
// everything that crosses the middleman belongs to the client core's block.

#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "holobroker/broker/fanin_summary.hpp"
#include "holobroker/broker/peer_info.hpp"
#include "holobroker/broker/thing_info.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/config/broker_config.hpp"

// Introspection structs stay in the process too (the front end turns them
// into JSON at the wire edge).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(holobroker::config::broker_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<holobroker::broker::thing_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<holobroker::broker::peer_info>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(holobroker::broker::fanin_summary)

namespace holobroker::broker {

/// Registers the client core's types and error category (everything the
/// broker's actors send is covered by them and by CAF's own types).
void add_message_types(caf::actor_system_config& cfg);

} // namespace holobroker::broker
