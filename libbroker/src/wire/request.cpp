#include "holobroker/wire/request.hpp"

#include <fmt/format.h>

#include "json_members.hpp"
#include "json_text.hpp"

namespace holobroker::wire {

using detail::json_kind;
using detail::json_member;

void request_header::set_server_context(const server_execution_context& ctx) {
  server_context = ctx;
  server_context_json = to_json(ctx);
}

void request_header::set_thing_context(const thing_execution_context& ctx) {
  thing_context = ctx;
  thing_context_json = to_json(ctx);
}

std::string encode(const request_header& h) {
  using detail::append_json_string;
  using detail::append_key;
  std::string out;
  out.reserve(256 + h.sender_id.size() + h.receiver_id.size() + h.thing_id.size()
              + h.objekt.size() + h.objekt_json.size());
  out += R"({"messageType":")";
  out += to_string(h.type);
  out += R"(","messageID":)";
  append_json_string(out, h.message_id);
  out += R"(,"senderID":)";
  append_json_string(out, h.sender_id);
  out += R"(,"receiverID":)";
  append_json_string(out, h.receiver_id);
  if (h.has_server_context()) {
    out += R"(,"serverExecutionContext":)";
    out += h.server_context_json;
  }
  if (h.has_thing_context()) {
    out += R"(,"thingExecutionContext":)";
    out += h.thing_context_json;
  }
  out += R"(,"thingID":)";
  append_json_string(out, h.thing_id);
  out += R"(,"objekt":)";
  if (h.objekt_json.empty())
    append_json_string(out, h.objekt);
  else
    out += h.objekt_json;
  out += R"(,"operation":)";
  append_json_string(out, h.operation);
  detail::append_content_types(out, h.payload_content_type, h.preencoded_payload_content_type);
  return out;
}

namespace {

constexpr std::string_view header_what = "request header";
constexpr std::string_view server_context_what = "serverExecutionContext";
constexpr std::string_view thing_context_what = "thingExecutionContext";

// Reads the members of serverExecutionContext the way the real server does:
// only the snake_case keys count (golden README §9); other keys, such as the
// camelCase struct defaults, are tolerated and ignored.
struct server_context_reader final : detail::member_visitor {
  server_execution_context ctx;
  unsigned seen = 0;

  std::optional<codec_error> on_member(const json_member& m) override {
    if (m.key == "invokation_timeout" || m.key == "execution_timeout") {
      bool invokation = m.key[0] == 'i';
      if (auto err = detail::mark_seen(seen, invokation ? 1u : 2u, server_context_what, m))
        return err;
      if (m.kind != json_kind::number)
        return detail::wrong_type(server_context_what, m, "a number");
      if (m.number < 0)
        return codec_error{codec_errc::bad_value,
                           fmt::format("{} field \"{}\" must not be negative",
                                       server_context_what, m.key)};
      (invokation ? ctx.invokation_timeout : ctx.execution_timeout) = m.number;
    } else if (m.key == "oneway") {
      if (auto err = detail::mark_seen(seen, 4u, server_context_what, m))
        return err;
      if (m.kind != json_kind::boolean)
        return detail::wrong_type(server_context_what, m, "a boolean");
      ctx.oneway = m.boolean;
    }
    return std::nullopt;
  }
};

// The server pops only `fetch_execution_logs` from this object; the
// camelCase `fetchExecutionLogs` of the struct defaults is ignored like the
// camelCase timeouts.
struct thing_context_reader final : detail::member_visitor {
  thing_execution_context ctx;
  unsigned seen = 0;

  std::optional<codec_error> on_member(const json_member& m) override {
    if (m.key == "fetch_execution_logs") {
      if (auto err = detail::mark_seen(seen, 1u, thing_context_what, m))
        return err;
      if (m.kind != json_kind::boolean)
        return detail::wrong_type(thing_context_what, m, "a boolean");
      ctx.fetch_execution_logs = m.boolean;
    }
    return std::nullopt;
  }
};

enum field_bit : unsigned {
  f_type = 1u << 0,
  f_id = 1u << 1,
  f_sender = 1u << 2,
  f_receiver = 1u << 3,
  f_server_context = 1u << 4,
  f_thing_context = 1u << 5,
  f_thing = 1u << 6,
  f_objekt = 1u << 7,
  f_operation = 1u << 8,
  f_payload_type = 1u << 9,
  f_preencoded_type = 1u << 10,
};

struct request_header_reader final : detail::field_reader {
  request_header h;

  const std::array<detail::string_slot, 7> slots{{
    {"messageID", f_id, &h.message_id},
    {"senderID", f_sender, &h.sender_id},
    {"receiverID", f_receiver, &h.receiver_id},
    {"thingID", f_thing, &h.thing_id},
    {"operation", f_operation, &h.operation},
    {"payloadContentType", f_payload_type, &h.payload_content_type},
    {"preencodedPayloadContentType", f_preencoded_type, &h.preencoded_payload_content_type},
  }};

  request_header_reader() : field_reader(header_what) {}

  // The contexts' members are read in the same pass (see nested()); here the
  // whole object is checked and kept verbatim.
  std::optional<codec_error> context_field(const json_member& m, unsigned bit,
                                           std::string& json_out) {
    if (auto err = once(m, bit))
      return err;
    if (m.kind != json_kind::object)
      return detail::wrong_type(header_what, m, "an object");
    json_out.assign(m.raw);
    return std::nullopt;
  }

  server_context_reader server_reader;
  thing_context_reader thing_reader;

  detail::member_visitor* nested(std::string_view key) override {
    // A duplicate context is reported by on_member; do not merge its keys.
    if (key == "serverExecutionContext" && !seen(f_server_context))
      return &server_reader;
    if (key == "thingExecutionContext" && !seen(f_thing_context))
      return &thing_reader;
    return nullptr;
  }

  std::optional<codec_error> on_member(const json_member& m) override {
    const auto& k = m.key;
    if (k == "messageType") {
      if (auto err = once(m, f_type))
        return err;
      if (m.kind != json_kind::string)
        return detail::wrong_type(header_what, m, "a string");
      // The real server treats any type other than HANDSHAKE and EXIT like an
      // OPERATION (golden ipc-unknown-messageType.json).
      auto type = parse_message_type(m.string);
      h.type = type && (*type == message_type::handshake || *type == message_type::exit)
                 ? *type
                 : message_type::operation;
      return std::nullopt;
    }
    if (k == "serverExecutionContext") {
      auto err = context_field(m, f_server_context, h.server_context_json);
      h.server_context = server_reader.ctx;
      return err;
    }
    if (k == "thingExecutionContext") {
      auto err = context_field(m, f_thing_context, h.thing_context_json);
      h.thing_context = thing_reader.ctx;
      return err;
    }
    if (k == "objekt") {
      if (auto err = once(m, f_objekt))
        return err;
      // readmultipleproperties takes a list or null here (golden README §8).
      if (m.kind == json_kind::string) {
        h.objekt.assign(m.string);
        h.objekt_json.clear();
      } else if (m.kind == json_kind::null || m.kind == json_kind::array) {
        h.objekt.clear();
        h.objekt_json.assign(m.raw);
      } else {
        return detail::wrong_type(header_what, m, "a string, a list or null");
      }
      return std::nullopt;
    }
    bool found = false;
    if (auto err = fill_slot(m, slots, found); err || found)
      return err;
    // The real server maps keys 1:1 onto a struct and drops anything else.
    return codec_error{codec_errc::unknown_field,
                       fmt::format("{} has unknown field {}", header_what, detail::quoted(k))};
  }
};

} // namespace

codec_result<request_header> parse_request_header(std::string_view json) {
  request_header_reader reader;
  if (auto err = reader.read(json, {{f_type, "messageType"},
                                    {f_id, "messageID"},
                                    {f_sender, "senderID"},
                                    {f_receiver, "receiverID"}}))
    return unexpected{std::move(*err)};
  return std::move(reader.h);
}

multipart craft_request(std::string_view server_id, const request& req) {
  multipart frames;
  frames.reserve(message_frame_count);
  frames.push_back(shared_bytes::copy_of(server_id));
  frames.push_back(empty_frame());
  frames.push_back(shared_bytes::from_string(encode(req.header)));
  frames.push_back(req.payload);
  frames.push_back(req.preserialized);
  return frames;
}

codec_result<request> parse_request(const multipart& frames) {
  if (frames.size() < 3)
    return fail(codec_errc::frame_count,
                fmt::format("request has {} frames; at least 3 are needed to carry a header",
                            frames.size()));
  auto header = parse_request_header(frames[2].view());
  if (!header)
    return unexpected{std::move(header).error()};
  request req;
  req.header = std::move(*header);
  req.routing_id = frames[0];
  req.frame_count = frames.size();
  if (frames.size() > 3)
    req.payload = frames[3];
  if (frames.size() > 4)
    req.preserialized = frames[4];
  return req;
}

} // namespace holobroker::wire
