#include "holobroker/wire/server_rules.hpp"

#include <fmt/format.h>

namespace holobroker::wire {

intake server_intake(const multipart& frames) {
  intake out;
  if (frames.size() < 3) {
    out.reason = fmt::format("a message of {} frames (a request has {})", frames.size(),
                             message_frame_count);
    return out;
  }
  auto parsed = parse_request(frames);
  if (!parsed) {
    out.reason = "an unparsable header: " + parsed.error().to_string();
    return out;
  }
  out.req = std::move(*parsed);
  const auto& req = *out.req;
  switch (req.header.type) {
    case message_type::handshake:
      // Answered even with a wrong frame count, as the real server does.
      out.kind = intake_kind::handshake;
      return out;
    case message_type::exit:
      out.kind = intake_kind::exit;
      return out;
    default: break;
  }
  if (req.frame_count != message_frame_count) {
    out.kind = intake_kind::invalid;
    out.error_type = "ValueError";
    out.reason = fmt::format("message length {} does not match the number of message parts {}",
                             message_frame_count, req.frame_count);
    return out;
  }
  if (!req.header.has_server_context()) {
    out.kind = intake_kind::invalid;
    out.error_type = "AttributeError";
    out.reason = "'ServerExecutionContext' object has no attribute 'get'";
    return out;
  }
  out.kind = intake_kind::operation;
  return out;
}

std::string unknown_thing_message(std::string_view thing_id) {
  return fmt::format("'{}'", thing_id);
}

} // namespace holobroker::wire
