#pragma once

// Shorthands shared by the black-box tests of thing-sim.

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "holobroker/wire/event.hpp"
#include "holobroker/wire/execution_context.hpp"
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

/// A raw hololinked client's context and an operation shorthand against
/// thing-sim's default server.
struct sim_client_fixture {
  zmq::context_t ctx{1};

  std::optional<wire::response>
  call(raw_client& c, const std::string& thing, const std::string& objekt, const std::string& op,
       const std::string& payload = "null",
       const wire::server_execution_context& sctx = wire::default_operation_context(),
       std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    return c.call("thing-sim",
                  operation(c.identity(), "thing-sim", thing, objekt, op, payload, sctx), timeout);
  }
};

} // namespace holobroker::test
