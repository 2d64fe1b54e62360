#pragma once

#include <string>
#include <string_view>

#include "holobroker/wire/codec_error.hpp"
#include "holobroker/wire/frames.hpp"

namespace holobroker::wire {

/// An event header on the PUB socket (golden README §6, §14).
struct event_header {
  std::string message_id;
  std::string sender_id; ///< `<server id>/event-publisher`
  std::string event_id;  ///< equals the topic
  std::string payload_content_type{json_content_type};
  std::string preencoded_payload_content_type{text_plain_content_type};
};

struct event {
  std::string topic; ///< `<thing id>/<event name>`
  event_header header;
  shared_bytes payload = null_payload();
  shared_bytes preserialized = empty_frame();
};

/// `<thing id>/<event name>`.
std::string event_topic(std::string_view thing_id, std::string_view event_name);

/// The subscription message a SUB socket sends upstream: `\x01<topic>` to
/// subscribe, `\x00<topic>` to unsubscribe, exactly as the real EventConsumer
/// does (golden event-subscription-by-real-client.json). Needed by XPUB/XSUB
/// forwarders; a plain SUB socket sets ZMQ_SUBSCRIBE to the topic instead.
/// Subscriptions are prefix matches: compare frame 0 exactly on receipt.
std::string subscription_message(std::string_view topic, bool subscribe = true);

/// `<server id>/event-publisher`.
std::string event_publisher_id(std::string_view server_id);

/// A new event of `thing_id`/`event_name` from server `server_id` with a fresh id.
event make_event(std::string_view server_id, std::string_view thing_id,
                 std::string_view event_name, shared_bytes payload,
                 shared_bytes preserialized = empty_frame());

/// Compact JSON in the real publisher's field order (messageType EVENT first).
std::string encode(const event_header& header);

/// Tolerant of unknown fields; requires messageType == "EVENT" and messageID.
codec_result<event_header> parse_event_header(std::string_view json);

/// [topic, "", header, payload, preserialized].
multipart craft_event(const event& ev);

/// Exactly 5 frames; the header's eventID, when present, must equal frame 0.
codec_result<event> parse_event(const multipart& frames);

} // namespace holobroker::wire
