#include "holobroker/wire/requests.hpp"

#include <nlohmann/json.hpp>

#include "holobroker/wire/message_id.hpp"

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

codec_result<std::string> action_arguments(std::string_view kwargs_json,
                                           const std::vector<std::string>& positional_json) {
  nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();
  if (!kwargs_json.empty()) {
    kwargs = nlohmann::ordered_json::parse(kwargs_json, nullptr, false);
    if (kwargs.is_discarded())
      return fail(codec_errc::not_json, "action keyword arguments are not JSON");
    if (!kwargs.is_object())
      return fail(codec_errc::not_object, "action keyword arguments must be a JSON object");
  }
  if (!positional_json.empty()) {
    auto args = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < positional_json.size(); ++i) {
      auto arg = nlohmann::ordered_json::parse(positional_json[i], nullptr, false);
      if (arg.is_discarded())
        return fail(codec_errc::not_json,
                    "positional argument " + std::to_string(i) + " is not JSON");
      args.push_back(std::move(arg));
    }
    kwargs["__args__"] = std::move(args);
  }
  return kwargs.dump();
}

request make_read_multiple_properties(std::string_view client_id, std::string_view server_id,
                                      std::string_view thing_id,
                                      const std::vector<std::string>& names,
                                      const server_execution_context& server_ctx) {
  nlohmann::ordered_json payload{{"names", names}};
  return make_operation(client_id, server_id, thing_id, "_get_properties", op::invoke_action,
                        shared_bytes::from_string(payload.dump()), server_ctx);
}

codec_result<request> make_write_multiple_properties(
  std::string_view client_id, std::string_view server_id, std::string_view thing_id,
  std::string_view values_json, const server_execution_context& server_ctx) {
  auto values = nlohmann::ordered_json::parse(values_json, nullptr, false);
  if (values.is_discarded())
    return fail(codec_errc::not_json, "property values are not JSON");
  if (!values.is_object())
    return fail(codec_errc::not_object, "property values must be a JSON object of name: value");
  return make_operation(client_id, server_id, thing_id, "_set_properties", op::invoke_action,
                        shared_bytes::from_string(values.dump()), server_ctx);
}

} // namespace holobroker::wire
