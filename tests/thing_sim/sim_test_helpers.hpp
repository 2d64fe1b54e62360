#pragma once

// Shorthands shared by the black-box tests of thing-sim.

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "holobroker/wire/event.hpp"
#include "holobroker/wire/response.hpp"
#include "raw_client.hpp"

namespace holobroker::test {

/// A SUB socket on `address` subscribed to `topic`.
zmq::socket_t subscriber(zmq::context_t& ctx, const std::string& address,
                         const std::string& topic);

/// The next event on `sub` whose topic is exactly `topic`, within `timeout`.
std::optional<wire::event> next_event(zmq::socket_t& sub, const std::string& topic,
                                      std::chrono::milliseconds timeout);

/// JSON of a reply payload (null if the frame is not JSON).
nlohmann::json payload_json(const wire::response& res);

/// The exception type of an EXCEPTION/INVALID_MESSAGE reply ("" if none).
std::string exception_type(const wire::response& res);

} // namespace holobroker::test
