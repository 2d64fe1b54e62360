#pragma once

#include <caf/timespan.hpp>

#include "holobroker/client/client_config.hpp"
#include "holobroker/client/operation.hpp"

namespace holobroker::client {

/// The client-side deadline of a request: the explicit one, else the
/// server's invokation + execution timeouts plus the margin, else the
/// connection's default.
caf::timespan deadline_of(const request_options& options, const client_config& cfg);

} // namespace holobroker::client
