#pragma once

// The Thing Description returned by the action `get_thing_description`,
// shaped like hololinked 0.4's (golden *-thing-description-fetch.json): keys
// context, id, title, description, properties, actions, events; forms carry
// this server's request and event addresses for the requested protocol.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "thing_spec.hpp"

namespace holobroker::sim {

struct td_addresses {
  std::string request; ///< forms of readproperty/writeproperty/invokeaction
  std::string events;  ///< forms of observeproperty/subscribeevent
};

nlohmann::ordered_json make_thing_description(const thing_spec& thing,
                                              const td_addresses& addresses,
                                              const std::vector<std::string>& skip_names = {});

/// The form href for a bound TCP address: `0.0.0.0`/`*` become the host name
/// (as the real server does).
std::string advertised_address(const std::string& address);

} // namespace holobroker::sim
