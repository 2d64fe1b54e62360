#pragma once

// "How do I reach a Thing": the command layer talks to Things only through
// this interface. Direct mode (direct_access) uses the client core against
// one server; the daemon's broker mode will be a second implementation.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <caf/error.hpp>

#include "holobroker/client/operation.hpp"
#include "holobroker/expected.hpp"
#include "holobroker/wire/event.hpp"

namespace holobroker::cli {

class thing_access {
public:
  virtual ~thing_access() = default;

  /// One operation; a reply or a client error (never blocks past the deadline).
  virtual expected<client::operation_reply, caf::error>
  execute(client::operation_request req) = 0;

  /// Calls `on_event` for every event of thing/event until it returns false,
  /// the process is asked to stop (SIGINT/SIGTERM: returns no error), or
  /// `timeout` passes without the subscription ending (a timeout error).
  virtual caf::error subscribe(const std::string& thing, const std::string& event,
                               const std::function<bool(const wire::event&)>& on_event,
                               std::optional<caf::timespan> timeout) = 0;
};

} // namespace holobroker::cli
