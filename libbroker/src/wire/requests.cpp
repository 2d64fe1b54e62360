#include "holobroker/wire/requests.hpp"

#include <fmt/format.h>

#include "holobroker/wire/message_id.hpp"
#include "json_members.hpp"
#include "json_text.hpp"

namespace holobroker::wire {

namespace {

request_header base_header(message_type type, std::string_view client_id,
                           std::string_view server_id) {
  request_header h;
  h.type = type;
  h.message_id = new_message_id();
  h.sender_id.assign(client_id);
  h.receiver_id.assign(server_id);
  return h;
}

} // namespace

request make_handshake(std::string_view client_id, std::string_view server_id) {
  request req;
  req.header = base_header(message_type::handshake, client_id, server_id);
  // The struct defaults: camelCase keys, which the server reads but ignores.
  req.header.server_context_json.assign(handshake_server_context_json);
  req.header.thing_context_json.assign(handshake_thing_context_json);
  return req;
}

request make_operation(std::string_view client_id, std::string_view server_id,
                       std::string_view thing_id, std::string_view objekt,
                       std::string_view operation, shared_bytes payload,
                       const server_execution_context& server_ctx,
                       const thing_execution_context& thing_ctx, shared_bytes preserialized) {
  request req;
  req.header = base_header(message_type::operation, client_id, server_id);
  req.header.set_server_context(server_ctx);
  req.header.set_thing_context(thing_ctx);
  req.header.thing_id.assign(thing_id);
  req.header.objekt.assign(objekt);
  req.header.operation.assign(operation);
  req.payload = std::move(payload);
  req.preserialized = std::move(preserialized);
  return req;
}

std::optional<codec_error> set_objekt_json(request_header& header, std::string_view json) {
  if (json.empty())
    return std::nullopt;
  // Validated (strictly, as the server's msgspec would) but sent verbatim:
  // the compact copy only tells what kind of value it is.
  std::string compact;
  if (auto err = detail::append_compact(compact, json, "objekt"))
    return err;
  if (compact != "null" && compact.front() != '[')
    return codec_error{codec_errc::wrong_type,
                       fmt::format("a non-string objekt must be null or a list, not {}",
                                   detail::quoted(compact))};
  header.objekt.clear();
  header.objekt_json.assign(json);
  return std::nullopt;
}

request make_exit(std::string_view client_id, std::string_view server_id) {
  request req = make_handshake(client_id, server_id);
  req.header.type = message_type::exit;
  return req;
}

namespace {

// Records whether a kwargs object already carries "__args__".
struct args_key_finder final : detail::member_visitor {
  bool found = false;

  std::optional<codec_error> on_member(const detail::json_member& m) override {
    found = found || m.key == "__args__";
    return std::nullopt;
  }
};

// `json` compacted, or an error if it is not one JSON object.
codec_result<std::string> compact_object(std::string_view json, std::string_view what) {
  std::string out;
  if (auto err = detail::append_compact(out, json, what))
    return unexpected{std::move(*err)};
  if (out.front() != '{')
    return fail(codec_errc::not_object, fmt::format("{} must be a JSON object", what));
  return out;
}

} // namespace

codec_result<std::string> action_arguments(std::string_view kwargs_json,
                                           const std::vector<std::string>& positional_json) {
  constexpr std::string_view what = "action keyword arguments";
  auto kwargs = compact_object(kwargs_json.empty() ? std::string_view{"{}"} : kwargs_json, what);
  if (!kwargs || positional_json.empty())
    return kwargs;
  args_key_finder finder;
  if (auto err = detail::read_members(*kwargs, what, finder))
    return unexpected{std::move(*err)};
  if (finder.found)
    return fail(codec_errc::bad_value,
                "action keyword arguments already have \"__args__\" and positional arguments "
                "were given too");
  // ObjectProxy adds the positional arguments last: kwargs["__args__"] = args.
  std::string out = std::move(*kwargs);
  out.pop_back(); // '}'
  if (out.size() > 1)
    out += ',';
  out += R"("__args__":[)";
  for (std::size_t i = 0; i < positional_json.size(); ++i) {
    if (i > 0)
      out += ',';
    if (auto err = detail::append_compact(out, positional_json[i],
                                          fmt::format("positional argument {}", i)))
      return unexpected{std::move(*err)};
  }
  out += "]}";
  return out;
}

request make_read_multiple_properties(std::string_view client_id, std::string_view server_id,
                                      std::string_view thing_id,
                                      const std::vector<std::string>& names,
                                      const server_execution_context& server_ctx) {
  std::string payload{R"({"names":[)"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0)
      payload += ',';
    detail::append_json_string(payload, names[i]);
  }
  payload += "]}";
  return make_operation(client_id, server_id, thing_id, "_get_properties", op::invoke_action,
                        shared_bytes::from_string(std::move(payload)), server_ctx);
}

codec_result<request> make_write_multiple_properties(
  std::string_view client_id, std::string_view server_id, std::string_view thing_id,
  std::string_view values_json, const server_execution_context& server_ctx) {
  auto values = compact_object(values_json, "property values (an object of name: value)");
  if (!values)
    return unexpected{std::move(values).error()};
  return make_operation(client_id, server_id, thing_id, "_set_properties", op::invoke_action,
                        shared_bytes::from_string(std::move(*values)), server_ctx);
}

} // namespace holobroker::wire
