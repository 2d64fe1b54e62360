#include "holobroker/wire/request.hpp"

#include <fmt/format.h>

#include "header_codec.hpp"
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
  using detail::append_raw_member;
  using detail::append_string_member;
  auto out = detail::open_header(to_string(h.type), h.message_id,
                                 96 + h.sender_id.size() + h.receiver_id.size() + h.thing_id.size()
                                   + h.objekt.size() + h.objekt_json.size()
                                   + h.server_context_json.size() + h.thing_context_json.size());
  append_string_member(out, "senderID", h.sender_id);
  append_string_member(out, "receiverID", h.receiver_id);
  if (h.has_server_context())
    append_raw_member(out, "serverExecutionContext", h.server_context_json);
  if (h.has_thing_context())
    append_raw_member(out, "thingExecutionContext", h.thing_context_json);
  append_string_member(out, "thingID", h.thing_id);
  if (h.objekt_json.empty())
    append_string_member(out, "objekt", h.objekt);
  else
    append_raw_member(out, "objekt", h.objekt_json);
  append_string_member(out, "operation", h.operation);
  detail::close_header(out, h);
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
      if (auto err = detail::check_member(seen, invokation ? 1u : 2u, server_context_what, m,
                                          json_kind::number, "a number"))
        return err;
      if (m.number < 0)
        return codec_error{codec_errc::bad_value,
                           fmt::format("{} field \"{}\" must not be negative",
                                       server_context_what, m.key)};
      (invokation ? ctx.invokation_timeout : ctx.execution_timeout) = m.number;
    } else if (m.key == "oneway") {
      if (auto err = detail::check_member(seen, 4u, server_context_what, m, json_kind::boolean,
                                          "a boolean"))
        return err;
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
      if (auto err = detail::check_member(seen, 1u, thing_context_what, m, json_kind::boolean,
                                          "a boolean"))
        return err;
      ctx.fetch_execution_logs = m.boolean;
    }
    return std::nullopt;
  }
};

// The plain string members (the contexts and objekt are read below); the
// bits follow the table's order.
constexpr detail::string_member<request_header> own_members[] = {
  {"senderID", &request_header::sender_id},
  {"receiverID", &request_header::receiver_id},
  {"thingID", &request_header::thing_id},
  {"operation", &request_header::operation},
};

enum field_bit : unsigned {
  f_sender = detail::first_own_bit,
  f_receiver = detail::first_own_bit << 1,
  f_server_context = detail::first_own_bit << 4,
  f_thing_context = detail::first_own_bit << 5,
  f_objekt = detail::first_own_bit << 6,
};

std::optional<codec_error> request_type(request_header& h, std::string_view text) {
  // The real server treats any type other than HANDSHAKE and EXIT like an
  // OPERATION (golden ipc-unknown-messageType.json).
  auto type = parse_message_type(text);
  h.type = type && (*type == message_type::handshake || *type == message_type::exit)
             ? *type
             : message_type::operation;
  return std::nullopt;
}

struct request_header_reader final : detail::header_reader<request_header> {
  request_header_reader() : header_reader(header_what, own_members, request_type) {}

  detail::member_visitor* nested(std::string_view key) override {
    // A duplicate context is reported by on_other; do not merge its keys.
    if (key == "serverExecutionContext" && !seen(f_server_context))
      return &server_reader_;
    if (key == "thingExecutionContext" && !seen(f_thing_context))
      return &thing_reader_;
    return nullptr;
  }

private:
  server_context_reader server_reader_;
  thing_context_reader thing_reader_;

  // The contexts' members are read in the same pass (see nested()); here the
  // whole object is checked and kept verbatim.
  std::optional<codec_error> on_other(const json_member& m) override {
    const auto& k = m.key;
    if (k == "serverExecutionContext" || k == "thingExecutionContext") {
      bool server = k[0] == 's';
      auto err = typed_once(m, server ? f_server_context : f_thing_context, json_kind::object,
                            "an object");
      if (!err)
        (server ? h.server_context_json : h.thing_context_json).assign(m.raw);
      if (server)
        h.server_context = server_reader_.ctx;
      else
        h.thing_context = thing_reader_.ctx;
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
    // The real server maps keys 1:1 onto a struct and drops anything else.
    return codec_error{codec_errc::unknown_field,
                       fmt::format("{} has unknown field {}", header_what, detail::quoted(k))};
  }
};

} // namespace

codec_result<request_header> parse_request_header(std::string_view json) {
  request_header_reader reader;
  return detail::read_header(reader, json, {{f_sender, "senderID"}, {f_receiver, "receiverID"}});
}

multipart craft_request(std::string_view server_id, const request& req) {
  return detail::craft_frames(shared_bytes::copy_of(server_id), encode(req.header), req.payload,
                              req.preserialized);
}

codec_result<request> parse_request(const multipart& frames) {
  if (frames.size() < 3)
    return fail(codec_errc::frame_count,
                fmt::format("request has {} frames; at least 3 are needed to carry a header",
                            frames.size()));
  auto req = detail::parse_message<request>(frames, parse_request_header);
  if (req)
    req->frame_count = frames.size();
  return req;
}

} // namespace holobroker::wire
