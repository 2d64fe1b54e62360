#pragma once

// The one header codec behind the request, response and event headers.
// Every hololinked header has the same frame: messageType first, messageID
// next, the header's own members, then payloadContentType and
// preencodedPayloadContentType; and travels in the same 5 frames. This file
// writes and reads that frame once; request.cpp, response.cpp and event.cpp
// only say what is their own (members, messageType rule, strictness).

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "holobroker/wire/codec_error.hpp"
#include "holobroker/wire/frames.hpp"
#include "json_members.hpp"

namespace holobroker::wire::detail {

// --- writing ---------------------------------------------------------------

/// `{"messageType":"<type>","messageID":<id>`, with `extra` bytes reserved
/// for the header's own members.
std::string open_header(std::string_view type, std::string_view message_id, std::size_t extra);

/// `,"<key>":<value as a JSON string>` (`key` needs no escaping).
void append_string_member(std::string& out, std::string_view key, std::string_view value);

/// `,"<key>":<json>` with `json` verbatim.
void append_raw_member(std::string& out, std::string_view key, std::string_view json);

/// One of a header's own plain string members: its key and where it lives.
/// A header's table of them, in wire order, serves both ways.
template <class Header>
struct string_member {
  std::string_view key;
  std::string Header::*field;
};

template <class Header>
using member_table = std::span<const string_member<Header>>;

/// The shared tail, closing the object:
/// `,"payloadContentType":…,"preencodedPayloadContentType":…}`.
template <class Header>
void close_header(std::string& out, const Header& h) {
  append_string_member(out, "payloadContentType", h.payload_content_type);
  append_string_member(out, "preencodedPayloadContentType", h.preencoded_payload_content_type);
  out += '}';
}

/// A whole header whose own members are all plain strings: messageType
/// `type`, messageID, `own` in order, the content types.
template <class Header>
std::string encode_header(std::string_view type, const Header& h, member_table<Header> own) {
  std::size_t extra = 0;
  for (const auto& m : own)
    extra += (h.*m.field).size();
  auto out = open_header(type, h.message_id, extra);
  for (const auto& m : own)
    append_string_member(out, m.key, h.*m.field);
  close_header(out, h);
  return out;
}

// --- frames ----------------------------------------------------------------

/// [first, "", header, payload, preserialized]: every hololinked message.
multipart craft_frames(shared_bytes first, std::string header, const shared_bytes& payload,
                       const shared_bytes& preserialized);

/// An error unless `frames` has exactly message_frame_count frames:
/// "<what> has N frames; expected 5".
std::optional<codec_error> expect_frame_count(std::string_view what, const multipart& frames);

/// A request or response from its frames (at least 3, the count checked by
/// the caller): the header parsed by `parse_header` from frame 2, frame 0 as
/// the routing id, frames 3 and 4 as payload and preserialized when present.
template <class Message, class ParseHeader>
codec_result<Message> parse_message(const multipart& frames, ParseHeader parse_header) {
  auto header = parse_header(frames[2].view());
  if (!header)
    return unexpected{std::move(header).error()};
  Message msg;
  msg.header = std::move(*header);
  msg.routing_id = frames[0];
  if (frames.size() > 3)
    msg.payload = frames[3];
  if (frames.size() > 4)
    msg.preserialized = frames[4];
  return msg;
}

// --- reading ---------------------------------------------------------------

/// Bits of the members every header has; a header's own string members
/// take the bits from `first_own_bit` on, in table order, and any further
/// members of a derived reader the bits after those.
enum common_bit : unsigned {
  f_type = 1u << 0,
  f_id = 1u << 1,
  f_payload_type = 1u << 2,
  f_preencoded_type = 1u << 3,
};
inline constexpr unsigned first_own_bit = 1u << 4;

/// Judges the messageType string and stores it in the header (or not).
template <class Header>
using type_rule = std::optional<codec_error> (*)(Header& h, std::string_view type);

/// Reads a `Header`: every member at most once, messageType a string
/// (its value judged by `rule`), messageID and the content types, the
/// header's own string members (`own`), and whatever else on_other decides
/// (tolerated by default, as replies and events from newer servers may carry
/// more).
template <class Header>
class header_reader : public member_visitor {
public:
  using header_type = Header;
  Header h;

  header_reader(std::string_view what, member_table<Header> own, type_rule<Header> rule) noexcept
    : what_(what), own_(own), rule_(rule) {}

  bool seen(unsigned bit) const noexcept { return (seen_ & bit) != 0; }

  /// Reads `json`, then names the first missing required field: messageType,
  /// messageID, then `required` (bit, name).
  std::optional<codec_error>
  read(std::string_view json,
       std::initializer_list<std::pair<unsigned, std::string_view>> required = {}) {
    if (auto err = read_members(json, what_, *this))
      return err;
    if (!seen(f_type))
      return missing("messageType");
    if (!seen(f_id))
      return missing("messageID");
    for (auto [bit, name] : required)
      if (!seen(bit))
        return missing(name);
    return std::nullopt;
  }

  std::optional<codec_error> on_member(const json_member& m) final {
    if (m.key == "messageType") {
      if (auto err = typed_once(m, f_type, json_kind::string, "a string"))
        return err;
      return rule_(h, m.string);
    }
    if (m.key == "messageID")
      return string_field(m, f_id, h.message_id);
    if (m.key == "payloadContentType")
      return string_field(m, f_payload_type, h.payload_content_type);
    if (m.key == "preencodedPayloadContentType")
      return string_field(m, f_preencoded_type, h.preencoded_payload_content_type);
    for (std::size_t i = 0; i < own_.size(); ++i)
      if (own_[i].key == m.key)
        return string_field(m, first_own_bit << i, h.*own_[i].field);
    return on_other(m);
  }

protected:
  std::string_view what() const noexcept { return what_; }

  /// Any other member; tolerated unless overridden.
  virtual std::optional<codec_error> on_other(const json_member& m) {
    static_cast<void>(m);
    return std::nullopt;
  }

  /// Marks `bit` seen (a second occurrence is an error) and checks the kind.
  std::optional<codec_error> typed_once(const json_member& m, unsigned bit, json_kind kind,
                                        std::string_view expected) {
    return check_member(seen_, bit, what_, m, kind, expected);
  }

  /// Marks `bit` seen; a second occurrence is a duplicate_field error.
  std::optional<codec_error> once(const json_member& m, unsigned bit) {
    return mark_seen(seen_, bit, what_, m);
  }

private:
  codec_error missing(std::string_view name) const {
    return codec_error{codec_errc::missing_field,
                       std::string{what_} + " has no \"" + std::string{name} + "\""};
  }

  std::optional<codec_error> string_field(const json_member& m, unsigned bit, std::string& out) {
    if (auto err = typed_once(m, bit, json_kind::string, "a string"))
      return err;
    out.assign(m.string);
    return std::nullopt;
  }

  std::string_view what_;
  member_table<Header> own_;
  type_rule<Header> rule_;
  unsigned seen_ = 0;
};

/// Runs `reader` over `json` (with the extra required fields) and returns its header.
template <class Reader>
auto read_header(Reader& reader, std::string_view json,
                 std::initializer_list<std::pair<unsigned, std::string_view>> required = {})
  -> codec_result<typename Reader::header_type> {
  if (auto err = reader.read(json, required))
    return unexpected{std::move(*err)};
  return std::move(reader.h);
}

/// A whole header whose own members are all plain strings (unknown members tolerated).
template <class Header>
codec_result<Header> parse_header(std::string_view json, std::string_view what,
                                  member_table<Header> own, type_rule<Header> rule) {
  header_reader<Header> reader{what, own, rule};
  return read_header(reader, json);
}

} // namespace holobroker::wire::detail
