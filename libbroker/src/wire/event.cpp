#include "holobroker/wire/event.hpp"

#include <fmt/format.h>

#include "holobroker/wire/message_id.hpp"
#include "holobroker/wire/message_type.hpp"
#include "header_codec.hpp"
#include "json_text.hpp"

namespace holobroker::wire {

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

namespace {

constexpr std::string_view header_what = "event header";

// Its own members, in wire order (golden README §6).
constexpr detail::string_member<event_header> own_members[] = {
  {"senderID", &event_header::sender_id},
  {"eventID", &event_header::event_id},
};

std::optional<codec_error> only_event(event_header&, std::string_view type) {
  if (type == "EVENT")
    return std::nullopt;
  return codec_error{codec_errc::bad_value,
                     fmt::format("{} has messageType {}, expected \"EVENT\"", header_what,
                                 detail::quoted(type))};
}

} // namespace

std::string encode(const event_header& h) {
  return detail::encode_header<event_header>("EVENT", h, own_members);
}

codec_result<event_header> parse_event_header(std::string_view json) {
  return detail::parse_header<event_header>(json, header_what, own_members, only_event);
}

multipart craft_event(const event& ev) {
  return detail::craft_frames(shared_bytes::copy_of(ev.topic), encode(ev.header), ev.payload,
                              ev.preserialized);
}

codec_result<event> parse_event(const multipart& frames) {
  if (auto err = detail::expect_frame_count("event", frames))
    return unexpected{std::move(*err)};
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
