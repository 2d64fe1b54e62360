#include "holobroker/wire/response.hpp"

#include <fmt/format.h>

#include "holobroker/wire/request.hpp"
#include "json_members.hpp"
#include "json_text.hpp"

namespace holobroker::wire {

using detail::json_kind;
using detail::json_member;

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

std::string encode(const response_header& h) {
  using detail::append_json_string;
  std::string out;
  out.reserve(160 + h.receiver_id.size() + h.sender_id.size());
  out += R"({"messageType":")";
  out += to_string(h.type);
  out += R"(","messageID":)";
  append_json_string(out, h.message_id);
  out += R"(,"receiverID":)";
  append_json_string(out, h.receiver_id);
  out += R"(,"senderID":)";
  append_json_string(out, h.sender_id);
  detail::append_content_types(out, h.payload_content_type, h.preencoded_payload_content_type);
  return out;
}

namespace {

constexpr std::string_view header_what = "response header";

enum field_bit : unsigned {
  f_type = 1u << 0,
  f_id = 1u << 1,
  f_receiver = 1u << 2,
  f_sender = 1u << 3,
  f_payload_type = 1u << 4,
  f_preencoded_type = 1u << 5,
};

struct response_header_reader final : detail::field_reader {
  response_header h;

  const std::array<detail::string_slot, 5> slots{{
    {"messageID", f_id, &h.message_id},
    {"receiverID", f_receiver, &h.receiver_id},
    {"senderID", f_sender, &h.sender_id},
    {"payloadContentType", f_payload_type, &h.payload_content_type},
    {"preencodedPayloadContentType", f_preencoded_type, &h.preencoded_payload_content_type},
  }};

  response_header_reader() : field_reader(header_what) {}

  std::optional<codec_error> on_member(const json_member& m) override {
    const auto& k = m.key;
    if (k == "messageType") {
      if (auto err = once(m, f_type))
        return err;
      if (m.kind != json_kind::string)
        return detail::wrong_type(header_what, m, "a string");
      auto type = parse_message_type(m.string);
      if (!type || *type == message_type::operation || *type == message_type::exit
          || *type == message_type::event)
        return codec_error{codec_errc::bad_value,
                           fmt::format("{} has messageType {}, which is not a response type",
                                       header_what, detail::quoted(m.string))};
      h.type = *type;
      return std::nullopt;
    }
    bool found = false;
    return fill_slot(m, slots, found); // unknown fields: tolerated (newer servers)
  }
};

} // namespace

codec_result<response_header> parse_response_header(std::string_view json) {
  response_header_reader reader;
  if (auto err = reader.read(json, {{f_type, "messageType"}, {f_id, "messageID"}}))
    return unexpected{std::move(*err)};
  return std::move(reader.h);
}

multipart craft_response(const response& res) {
  multipart frames;
  frames.reserve(message_frame_count);
  frames.push_back(res.routing_id);
  frames.push_back(empty_frame());
  frames.push_back(shared_bytes::from_string(encode(res.header)));
  frames.push_back(res.payload);
  frames.push_back(res.preserialized);
  return frames;
}

codec_result<response> parse_response(const multipart& frames) {
  if (frames.size() != message_frame_count)
    return fail(codec_errc::frame_count,
                fmt::format("response has {} frames; expected {}", frames.size(),
                            message_frame_count));
  auto header = parse_response_header(frames[2].view());
  if (!header)
    return unexpected{std::move(header).error()};
  response res;
  res.header = std::move(*header);
  res.routing_id = frames[0];
  res.payload = frames[3];
  res.preserialized = frames[4];
  return res;
}

} // namespace holobroker::wire
