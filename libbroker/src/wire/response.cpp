#include "holobroker/wire/response.hpp"

#include <fmt/format.h>

#include "holobroker/wire/request.hpp"
#include "header_codec.hpp"
#include "json_text.hpp"

namespace holobroker::wire {

response make_response(message_type type, const request_header& req,
                       std::string_view server_id, shared_bytes payload,
                       shared_bytes preserialized) {
  response res;
  res.header.type = type;
  res.header.message_id = req.message_id;
  res.header.receiver_id = req.sender_id;
  res.header.sender_id.assign(server_id);
  res.payload = std::move(payload);
  res.preserialized = std::move(preserialized);
  return res;
}

namespace {

constexpr std::string_view header_what = "response header";

// Its own members, in wire order (golden README §6).
constexpr detail::string_member<response_header> own_members[] = {
  {"receiverID", &response_header::receiver_id},
  {"senderID", &response_header::sender_id},
};

std::optional<codec_error> response_type(response_header& h, std::string_view text) {
  auto type = parse_message_type(text);
  if (!type || *type == message_type::operation || *type == message_type::exit
      || *type == message_type::event)
    return codec_error{codec_errc::bad_value,
                       fmt::format("{} has messageType {}, which is not a response type",
                                   header_what, detail::quoted(text))};
  h.type = *type;
  return std::nullopt;
}

} // namespace

std::string encode(const response_header& h) {
  return detail::encode_header<response_header>(to_string(h.type), h, own_members);
}

codec_result<response_header> parse_response_header(std::string_view json) {
  return detail::parse_header<response_header>(json, header_what, own_members, response_type);
}

multipart craft_response(const response& res) {
  return detail::craft_frames(res.routing_id, encode(res.header), res.payload, res.preserialized);
}

codec_result<response> parse_response(const multipart& frames) {
  if (auto err = detail::expect_frame_count("response", frames))
    return unexpected{std::move(*err)};
  return detail::parse_message<response>(frames, parse_response_header);
}

} // namespace holobroker::wire
