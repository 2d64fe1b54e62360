#pragma once

// How the broker answers a hololinked client when a request did not end in
// a REPLY: the client core's typed errors become the reply types and
// payloads hololinked clients already understand (golden README §7, §9).
//   remote_exception -> EXCEPTION with the Thing's exception, unchanged
//   invalid_message  -> INVALID_MESSAGE with the server's exception
//   server_timeout   -> TIMEOUT "invokation" / "execution" (as the server sent it)
//   timeout          -> TIMEOUT "execution": the broker's deadline passed
//   unknown_thing    -> INVALID_MESSAGE KeyError '<thing id>' (as the real
//                       server, but without its stray second TIMEOUT)
//   anything else    -> EXCEPTION with a Python exception type the client
//                       raises sensibly (ConnectionError, ...) and the
//                       broker's description of what went wrong.

#include <string_view>

#include <caf/error.hpp>

#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/response.hpp"

namespace holobroker::broker {

/// The reply to `req` for `err`, sent by the broker `broker_id`.
wire::response error_reply(const caf::error& err, const wire::request_header& req,
                           std::string_view broker_id);

/// An EXCEPTION or INVALID_MESSAGE reply carrying `ex` (traceback defaults
/// to the real server's `["NoneType: None"]`).
wire::response exception_reply(wire::message_type type, const wire::request_header& req,
                               std::string_view broker_id, wire::remote_exception ex);

/// A remote_exception with the real server's empty traceback.
wire::remote_exception make_exception(std::string type, std::string message);

} // namespace holobroker::broker
