#pragma once

// What a request ends with, and how a server's answer becomes it.

#include <string>
#include <variant>

#include <caf/error.hpp>

#include "holobroker/client/client_config.hpp"
#include "holobroker/client/operation.hpp"
#include "holobroker/wire/response.hpp"

namespace holobroker::client {

using outcome = std::variant<operation_reply, caf::error>;

/// The outcome of `res` (REPLY, EXCEPTION, INVALID_MESSAGE or TIMEOUT) for
/// the request described by `what` ("readproperty thing/name"). Moves the
/// payload out of `res`; error texts name the request, server and id.
outcome to_outcome(const std::string& what, const client_config& cfg, wire::response& res);

} // namespace holobroker::client
