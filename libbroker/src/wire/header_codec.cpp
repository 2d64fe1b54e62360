#include "header_codec.hpp"

#include <fmt/format.h>

#include "json_text.hpp"

namespace holobroker::wire::detail {

std::string open_header(std::string_view type, std::string_view message_id, std::size_t extra) {
  std::string out;
  // Fixed keys and content types take about 160 bytes.
  out.reserve(160 + message_id.size() + extra);
  out += R"({"messageType":")";
  out += type;
  out += R"(","messageID":)";
  append_json_string(out, message_id);
  return out;
}

void append_string_member(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  append_key(out, key);
  append_json_string(out, value);
}

void append_raw_member(std::string& out, std::string_view key, std::string_view json) {
  out += ',';
  append_key(out, key);
  out += json;
}

multipart craft_frames(shared_bytes first, std::string header, const shared_bytes& payload,
                       const shared_bytes& preserialized) {
  multipart frames;
  frames.reserve(message_frame_count);
  frames.push_back(std::move(first));
  frames.push_back(empty_frame());
  frames.push_back(shared_bytes::from_string(std::move(header)));
  frames.push_back(payload);
  frames.push_back(preserialized);
  return frames;
}

std::optional<codec_error> expect_frame_count(std::string_view what, const multipart& frames) {
  if (frames.size() == message_frame_count)
    return std::nullopt;
  return codec_error{codec_errc::frame_count, fmt::format("{} has {} frames; expected {}", what,
                                                          frames.size(), message_frame_count)};
}

} // namespace holobroker::wire::detail
