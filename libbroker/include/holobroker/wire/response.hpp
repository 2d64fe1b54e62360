#pragma once

#include <string>
#include <string_view>

#include "holobroker/wire/codec_error.hpp"
#include "holobroker/wire/frames.hpp"
#include "holobroker/wire/message_type.hpp"

namespace holobroker::wire {

struct request_header;

/// A server -> client response header (golden README §6), fields in wire order.
struct response_header {
  message_type type = message_type::reply;
  std::string message_id;  ///< copied from the request
  std::string receiver_id; ///< the client id
  std::string sender_id;   ///< the server id
  std::string payload_content_type{json_content_type};
  std::string preencoded_payload_content_type{text_plain_content_type};
};

struct response {
  response_header header;
  shared_bytes payload = null_payload();
  shared_bytes preserialized = empty_frame();
  shared_bytes routing_id; ///< frame 0: server id (client view) or client id (server view)
};

/// A response of `type` to `req`, sent by server `server_id`: message id and
/// receiver copied from the request, as the real server does.
response make_response(message_type type, const request_header& req,
                       std::string_view server_id, shared_bytes payload = null_payload(),
                       shared_bytes preserialized = empty_frame());

/// Compact JSON of `header` in the real server's field order.
std::string encode(const response_header& header);

/// Tolerant of unknown extra fields; requires messageType (a known response
/// type) and messageID; every present field must have its JSON type.
codec_result<response_header> parse_response_header(std::string_view json);

/// Server side: [client routing id, "", header, payload, preserialized].
multipart craft_response(const response& res);

/// Client side: exactly 5 frames, frames[0] = server routing id.
codec_result<response> parse_response(const multipart& frames);

} // namespace holobroker::wire
