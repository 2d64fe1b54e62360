#include "holobroker/wire/server_rules.hpp"

#include <fmt/format.h>

#include "json_reader.hpp"

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

namespace {

/// Notes the root's kind and its top-level "__args__" member; reads on.
struct payload_shape {
  json_payload_scan* out;
  bool begin_container(detail::json_event_kind kind, int depth, std::size_t) {
    if (depth == 0 && kind == detail::json_event_kind::object)
      out->is_object = true;
    return true;
  }
  bool end_container(detail::json_event_kind, int, std::size_t, std::size_t) { return true; }
  bool key(int depth, std::string_view name) {
    if (depth == 1 && name == "__args__")
      out->has_args_key = true;
    return true;
  }
  bool scalar(const detail::json_scalar&) { return true; }
};

} // namespace

json_payload_scan scan_json_payload(std::string_view text) {
  json_payload_scan scan;
  payload_shape shape{&scan};
  detail::json_reader reader{text};
  auto result = reader.read(shape);
  if (result.ok) {
    scan.valid = true;
    return scan;
  }
  scan.is_object = scan.has_args_key = false;
  // msgspec's two wordings: running out of input, or a bad byte.
  auto only_space = text.find_first_not_of(" \t\n\r") == std::string_view::npos;
  if (only_space || result.error.offset >= text.size())
    scan.error = "Input data was truncated";
  else
    scan.error = fmt::format("JSON is malformed: {} (byte {})", result.error.reason,
                             result.error.offset);
  return scan;
}

} // namespace holobroker::wire
