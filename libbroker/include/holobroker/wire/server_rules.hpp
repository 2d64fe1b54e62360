#pragma once

// What a hololinked 0.4 server does with a message before it looks up the
// Thing (golden README §5-§7): one module of the server-side rules, used by
// the broker's front end and by thing-sim, so both are exactly as strict as
// the real server.
//
//   fewer than 3 frames, or a header that does not parse -> dropped, no reply
//   HANDSHAKE (any frame count)                        -> HANDSHAKE reply
//   EXIT                                               -> stops a server
//   frame count != 5                                   -> INVALID_MESSAGE ValueError
//   no serverExecutionContext                          -> INVALID_MESSAGE AttributeError
//   anything else                                      -> an operation

#include <optional>
#include <string>

#include "holobroker/wire/frames.hpp"
#include "holobroker/wire/request.hpp"

namespace holobroker::wire {

enum class intake_kind {
  drop,      ///< no reply at all; `reason` says why (for the log)
  handshake, ///< answer HANDSHAKE
  exit,      ///< EXIT: a real server stops its request loop
  invalid,   ///< answer INVALID_MESSAGE with error_type / reason
  operation, ///< an operation to serve
};

struct intake {
  intake_kind kind = intake_kind::drop;
  /// Set for every kind but `drop`.
  std::optional<request> req;
  /// The Python exception type of an `invalid` answer.
  std::string error_type;
  /// Why a message is dropped, or the exception message of an `invalid` one.
  std::string reason;
};

/// Applies the rules above to the frames a server's ROUTER received
/// (frames[0] = the client's routing id).
intake server_intake(const multipart& frames);

/// The INVALID_MESSAGE exception of a request for a Thing the server does
/// not serve: KeyError "'<thing id>'".
std::string unknown_thing_message(std::string_view thing_id);

/// What a server learns of a JSON payload before it decodes it, without
/// building a document: enough to answer DecodeError as the real server's
/// default serializer (msgspec, strict RFC 8259: NaN and Infinity are not
/// JSON) does, and to pass an echo's kwargs on verbatim.
struct json_payload_scan {
  bool valid = false;
  bool is_object = false;    ///< the top-level value is an object
  bool has_args_key = false; ///< ... with a top-level "__args__" member
  /// Why !valid, worded like msgspec: "Input data was truncated" when the
  /// text ends early, else "JSON is malformed: <what> (byte N)".
  std::string error;
};

json_payload_scan scan_json_payload(std::string_view text);

} // namespace holobroker::wire
