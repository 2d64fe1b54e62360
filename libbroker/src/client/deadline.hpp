#pragma once

#include <caf/timespan.hpp>

#include "holobroker/client/client_config.hpp"
#include "holobroker/client/operation.hpp"

namespace holobroker::client {

/// The client-side deadline of a request: the explicit one, else the
/// server's invokation + execution timeouts plus the margin, else the
/// connection's default; `thing_id`'s own defaults (thing_policy) replace
/// the connection's when it has them.
caf::timespan deadline_of(const request_options& options, const client_config& cfg,
                          const std::string& thing_id);

} // namespace holobroker::client
