#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "holobroker/wire/codec_error.hpp"
#include "holobroker/wire/execution_context.hpp"
#include "holobroker/wire/frames.hpp"
#include "holobroker/wire/message_type.hpp"

namespace holobroker::wire {

/// A client -> server request header (golden README §5). Field order on the
/// wire is the declaration order below.
struct request_header {
  message_type type = message_type::operation;
  std::string message_id;
  std::string sender_id;   ///< must equal the client socket's routing id
  std::string receiver_id; ///< server id (not checked by the server)

  /// What the server will honour, derived from `server_context_json`.
  server_execution_context server_context;
  /// The exact JSON object text sent; empty when the key is absent.
  std::string server_context_json;

  thing_execution_context thing_context;
  /// The exact JSON object text sent; empty when the key is absent.
  std::string thing_context_json;

  std::string thing_id;
  /// The objekt when it is a JSON string (property/action name).
  std::string objekt;
  /// The raw JSON text of objekt when it is not a string (null or a list for
  /// readmultipleproperties); empty when objekt is a string.
  std::string objekt_json;
  std::string operation;
  std::string payload_content_type{json_content_type};
  std::string preencoded_payload_content_type{text_plain_content_type};

  bool has_server_context() const noexcept { return !server_context_json.empty(); }
  bool has_thing_context() const noexcept { return !thing_context_json.empty(); }

  /// Sets both the honoured values and the JSON text of the server context.
  void set_server_context(const server_execution_context& ctx);
  /// Sets both the honoured values and the JSON text of the thing context.
  void set_thing_context(const thing_execution_context& ctx);
};

/// A request with its payload frames. `frame_count` is the number of frames
/// the request arrived in (the server answers INVALID_MESSAGE unless it is 5).
struct request {
  request_header header;
  shared_bytes payload = null_payload();
  shared_bytes preserialized = empty_frame();
  shared_bytes routing_id; ///< frame 0: server id (client view) or client id (server view)
  std::size_t frame_count = message_frame_count;
};

/// Compact JSON of `header`, byte-for-byte in the real clients' field order.
std::string encode(const request_header& header);

/// Strict parse, as strict as the real server: not JSON (including invalid
/// UTF-8), not an object, an unknown top-level key, a missing
/// messageType/messageID/senderID/receiverID or a mistyped field are errors
/// (the real server drops such messages); so are a field given twice and a
/// negative timeout (bad_value). Unknown messageType strings read as
/// OPERATION, as on the real server. Never throws.
codec_result<request_header> parse_request_header(std::string_view json);

/// Client side: [server id, "", header, payload, preserialized].
multipart craft_request(std::string_view server_id, const request& req);

/// Server side: frames[0] is the client's routing id. Succeeds for 3 or more
/// frames with a valid header (frame_count tells the caller how many); missing
/// payload frames read as `null` / empty.
codec_result<request> parse_request(const multipart& frames);

} // namespace holobroker::wire
