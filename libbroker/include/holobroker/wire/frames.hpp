#pragma once

#include <string_view>
#include <vector>

#include "holobroker/wire/shared_bytes.hpp"

namespace holobroker::wire {

/// A multipart ZeroMQ message as the application sees it on a ROUTER or SUB
/// socket: frame 0 is the peer's routing id (or the event topic).
using multipart = std::vector<shared_bytes>;

/// Number of frames of every well-formed hololinked message (golden README §4):
/// [routing id, empty delimiter, header, payload, preserialized payload].
inline constexpr std::size_t message_frame_count = 5;

/// "No payload" on the wire is the JSON literal `null`, never an empty frame.
inline constexpr std::string_view null_payload_text = "null";

/// A shared frame holding `null`.
const shared_bytes& null_payload();

/// A shared empty frame (delimiter, unused preserialized payload).
const shared_bytes& empty_frame();

/// Content types seen on the wire (golden README §15).
inline constexpr std::string_view json_content_type = "application/json";
inline constexpr std::string_view text_plain_content_type = "text/plain";

} // namespace holobroker::wire
