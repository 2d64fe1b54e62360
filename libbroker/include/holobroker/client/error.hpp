#pragma once

// Typed errors of the client core, carried in caf::error with category
// `error_category` ("hb_client"). Every error's context holds a description
// (std::string) naming client, server and message id where known; errors
// caused by the server carry the details as a second element:
//   remote_exception, invalid_message -> wire::remote_exception
//   server_timeout                    -> std::string "invokation"/"execution"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/atom.hpp>
#include <caf/error.hpp>

#include "holobroker/wire/remote_exception.hpp"

namespace holobroker::client {

enum class client_errc : uint8_t {
  connection = 1,   ///< handshake failed: server unreachable or wrong server id
  disconnected,     ///< the server disconnected while the request was in flight
  timeout,          ///< the client-side deadline passed without an answer
  remote_exception, ///< the Thing raised (EXCEPTION reply)
  invalid_message,  ///< the server rejected the request (INVALID_MESSAGE reply)
  server_timeout,   ///< the server's invokation or execution timeout (TIMEOUT reply)
  busy,             ///< too many requests in flight on this connection
  unknown_thing,    ///< no connection serves this Thing (router)
  bad_request,      ///< the request itself is malformed (caught before sending)
  bad_response,     ///< the server's answer does not parse
  closed,           ///< the client shut down before the request ended
  unknown_message,  ///< receive_response for a message id nobody sent or kept
};

/// "connection", "disconnected", ...
std::string_view to_string(client_errc code) noexcept;

/// The caf::error category of client errors.
inline constexpr caf::atom_value error_category = caf::atom("hb_client");

/// An error with a description.
caf::error make_error(client_errc code, std::string what);

/// A remote_exception or invalid_message error carrying the exception.
caf::error make_error(client_errc code, std::string what, wire::remote_exception ex);

/// The client error code of `err`, if it is one.
std::optional<client_errc> client_errc_of(const caf::error& err) noexcept;

/// The exception carried by a remote_exception / invalid_message error.
std::optional<wire::remote_exception> remote_exception_of(const caf::error& err);

/// "invokation" or "execution" for a server_timeout error, else empty.
std::string server_timeout_kind_of(const caf::error& err);

/// One line for humans: `<code>: <description>`; for remote exceptions
/// `remote_exception: <type>: <message>`; non-client errors via CAF.
std::string describe(const caf::error& err);

} // namespace holobroker::client
