#include "holobroker/wire/event.hpp"

#include <fmt/format.h>

#include "holobroker/wire/message_id.hpp"
#include "holobroker/wire/message_type.hpp"
#include "json_members.hpp"
#include "json_text.hpp"

namespace holobroker::wire {

using detail::json_kind;
using detail::json_member;

std::string event_topic(std::string_view thing_id, std::string_view event_name) {
  std::string topic;
  topic.reserve(thing_id.size() + 1 + event_name.size());
  topic += thing_id;
  topic += '/';
  topic += event_name;
  return topic;
}

std::string subscription_message(std::string_view topic, bool subscribe) {
  std::string msg;
  msg.reserve(topic.size() + 1);
  msg += subscribe ? '\x01' : '\x00';
  msg += topic;
  return msg;
}

std::string event_publisher_id(std::string_view server_id) {
  return std::string{server_id} + "/event-publisher";
}

event make_event(std::string_view server_id, std::string_view thing_id,
                 std::string_view event_name, shared_bytes payload, shared_bytes preserialized) {
  event ev;
  ev.topic = event_topic(thing_id, event_name);
  ev.header.message_id = new_message_id();
  ev.header.sender_id = event_publisher_id(server_id);
  ev.header.event_id = ev.topic;
  ev.payload = std::move(payload);
  ev.preserialized = std::move(preserialized);
  return ev;
}

std::string encode(const event_header& h) {
  using detail::append_json_string;
  std::string out;
  out.reserve(160 + h.sender_id.size() + h.event_id.size());
  out += R"({"messageType":"EVENT","messageID":)";
  append_json_string(out, h.message_id);
  out += R"(,"senderID":)";
  append_json_string(out, h.sender_id);
  out += R"(,"eventID":)";
  append_json_string(out, h.event_id);
  detail::append_content_types(out, h.payload_content_type, h.preencoded_payload_content_type);
  return out;
}

namespace {

constexpr std::string_view header_what = "event header";

enum field_bit : unsigned {
  f_type = 1u << 0,
  f_id = 1u << 1,
  f_sender = 1u << 2,
  f_event = 1u << 3,
  f_payload_type = 1u << 4,
  f_preencoded_type = 1u << 5,
};

struct event_header_reader final : detail::field_reader {
  event_header h;

  const std::array<detail::string_slot, 5> slots{{
    {"messageID", f_id, &h.message_id},
    {"senderID", f_sender, &h.sender_id},
    {"eventID", f_event, &h.event_id},
    {"payloadContentType", f_payload_type, &h.payload_content_type},
    {"preencodedPayloadContentType", f_preencoded_type, &h.preencoded_payload_content_type},
  }};

  event_header_reader() : field_reader(header_what) {}

  std::optional<codec_error> on_member(const json_member& m) override {
    const auto& k = m.key;
    if (k == "messageType") {
      if (auto err = once(m, f_type))
        return err;
      if (m.kind != json_kind::string)
        return detail::wrong_type(header_what, m, "a string");
      if (m.string != "EVENT")
        return codec_error{codec_errc::bad_value,
                           fmt::format("{} has messageType {}, expected \"EVENT\"",
                                       header_what, detail::quoted(m.string))};
      return std::nullopt;
    }
    bool found = false;
    return fill_slot(m, slots, found); // unknown fields: tolerated (newer servers)
  }
};

} // namespace

codec_result<event_header> parse_event_header(std::string_view json) {
  event_header_reader reader;
  if (auto err = reader.read(json, {{f_type, "messageType"}, {f_id, "messageID"}}))
    return unexpected{std::move(*err)};
  return std::move(reader.h);
}

multipart craft_event(const event& ev) {
  multipart frames;
  frames.reserve(message_frame_count);
  frames.push_back(shared_bytes::copy_of(ev.topic));
  frames.push_back(empty_frame());
  frames.push_back(shared_bytes::from_string(encode(ev.header)));
  frames.push_back(ev.payload);
  frames.push_back(ev.preserialized);
  return frames;
}

codec_result<event> parse_event(const multipart& frames) {
  if (frames.size() != message_frame_count)
    return fail(codec_errc::frame_count, fmt::format("event has {} frames; expected {}",
                                                     frames.size(), message_frame_count));
  auto header = parse_event_header(frames[2].view());
  if (!header)
    return unexpected{std::move(header).error()};
  if (!header->event_id.empty() && header->event_id != frames[0].view())
    return fail(codec_errc::bad_value,
                fmt::format("event header eventID {} does not match topic {}",
                            detail::quoted(header->event_id), detail::quoted(frames[0].view())));
  event ev;
  ev.topic = frames[0].to_string();
  ev.header = std::move(*header);
  ev.payload = frames[3];
  ev.preserialized = frames[4];
  return ev;
}

} // namespace holobroker::wire
