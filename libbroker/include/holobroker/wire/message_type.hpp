#pragma once

#include <optional>
#include <string_view>

namespace holobroker::wire {

/// The `messageType` header field of hololinked 0.4 (golden README §7).
enum class message_type {
  handshake,       ///< both directions: reachability probe
  operation,       ///< client -> server: perform an operation on a Thing
  exit,            ///< client -> server: stops the server's request loop
  reply,           ///< server -> client: success
  exception,       ///< server -> client: the operation raised
  invalid_message, ///< server -> client: malformed request / unknown thing
  timeout,         ///< server -> client: invokation or execution timeout
  event,           ///< PUB: event message
};

/// The wire spelling, e.g. "INVALID_MESSAGE".
std::string_view to_string(message_type type) noexcept;

/// Parses the wire spelling; nullopt for anything else. Note that the real
/// server treats unknown request types like OPERATION: that is server policy,
/// not codec policy.
std::optional<message_type> parse_message_type(std::string_view text) noexcept;

} // namespace holobroker::wire
