#pragma once

// What callers send to a client (or the router) and what they get back.

#include <optional>
#include <string>

#include <caf/timespan.hpp>

#include "holobroker/wire/execution_context.hpp"
#include "holobroker/wire/frames.hpp"

namespace holobroker::client {

/// Per-request options.
struct request_options {
  /// Sent as serverExecutionContext (snake_case keys, honoured by the server).
  wire::server_execution_context server_context = wire::default_operation_context();
  /// Sent as thingExecutionContext.
  wire::thing_execution_context thing_context;
  /// Client-side deadline measured from when the client actor receives the
  /// request. Unset: invokation + execution timeout + the connection's
  /// deadline margin, or the connection's default deadline when the server
  /// context arms no timeout. A request never waits longer than this.
  std::optional<caf::timespan> deadline;
};

/// One operation on one Thing.
struct operation_request {
  std::string thing_id;
  std::string objekt;    ///< property or action name
  /// A non-string objekt, sent verbatim instead of `objekt`: the JSON text
  /// `null` or a list of names (readmultipleproperties / readallproperties
  /// as raw hololinked clients send them). Empty: `objekt` is the name.
  std::string objekt_json;
  std::string operation; ///< wire::op::read_property, write_property, invoke_action, ...
  wire::shared_bytes payload = wire::null_payload(); ///< JSON; "null" = no payload
  wire::shared_bytes preserialized = wire::empty_frame();
  /// Sent as payloadContentType: how `payload` is encoded (the server
  /// decodes application/json and application/msgpack).
  std::string payload_content_type{wire::json_content_type};
  /// Sent as preencodedPayloadContentType: what `preserialized` holds.
  std::string preencoded_payload_content_type{wire::text_plain_content_type};
  request_options options;
};

/// A REPLY from the server.
struct operation_reply {
  std::string message_id;
  wire::shared_bytes payload = wire::null_payload(); ///< JSON value
  wire::shared_bytes preserialized = wire::empty_frame();
  std::string payload_content_type;
  std::string preencoded_payload_content_type;
};

/// Shorthands for the common operations.
operation_request read_property(std::string thing_id, std::string name);
operation_request write_property(std::string thing_id, std::string name,
                                 wire::shared_bytes value_json);
/// `kwargs_json` is a JSON object ("{}" for no arguments).
operation_request invoke_action(std::string thing_id, std::string name,
                                wire::shared_bytes kwargs_json);

} // namespace holobroker::client
