#pragma once

// Builders for the requests real hololinked clients send, field for field.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "holobroker/wire/request.hpp"

namespace holobroker::wire {

/// Operation names used on the wire.
namespace op {
inline constexpr std::string_view read_property = "readproperty";
inline constexpr std::string_view write_property = "writeproperty";
inline constexpr std::string_view invoke_action = "invokeaction";
inline constexpr std::string_view read_multiple_properties = "readmultipleproperties";
inline constexpr std::string_view read_all_properties = "readallproperties";
inline constexpr std::string_view write_multiple_properties = "writemultipleproperties";
} // namespace op

/// HANDSHAKE with the struct-default contexts and empty thing/objekt/operation.
request make_handshake(std::string_view client_id, std::string_view server_id);

/// EXIT: stops the server's request loop for good (golden README §7); same
/// shape as a HANDSHAKE. Never sent casually.
request make_exit(std::string_view client_id, std::string_view server_id);

/// An OPERATION as ObjectProxy sends it (snake_case contexts).
request make_operation(std::string_view client_id, std::string_view server_id,
                       std::string_view thing_id, std::string_view objekt,
                       std::string_view operation, shared_bytes payload = null_payload(),
                       const server_execution_context& server_ctx = default_operation_context(),
                       const thing_execution_context& thing_ctx = {},
                       shared_bytes preserialized = empty_frame());

/// Sets a non-string objekt on `header`, kept byte for byte: `json` must be
/// the JSON text `null` or of one list (readmultipleproperties and
/// readallproperties as raw clients send them; golden README §8). An empty
/// `json` sets nothing. Errors name what `json` is instead.
std::optional<codec_error> set_objekt_json(request_header& header, std::string_view json);

/// invokeaction payload: the keyword arguments object, compacted, with the
/// positional arguments appended under `"__args__"` as ObjectProxy does
/// (`{"value":1,"__args__":[5]}`; no arguments -> `{}`). `kwargs_json` must be
/// a JSON object (or empty for none); each positional argument is JSON text.
/// Numbers keep their text. Errors name the argument that is not JSON.
codec_result<std::string> action_arguments(std::string_view kwargs_json,
                                           const std::vector<std::string>& positional_json = {});

/// ObjectProxy's read_multiple_properties: invokeaction `_get_properties`
/// with `{"names":[…]}`.
request make_read_multiple_properties(std::string_view client_id, std::string_view server_id,
                                      std::string_view thing_id,
                                      const std::vector<std::string>& names,
                                      const server_execution_context& server_ctx
                                      = default_operation_context());

/// ObjectProxy's write_multiple_properties: invokeaction `_set_properties`
/// with `{name: value, …}`; `values_json` must be a JSON object.
codec_result<request> make_write_multiple_properties(
  std::string_view client_id, std::string_view server_id, std::string_view thing_id,
  std::string_view values_json,
  const server_execution_context& server_ctx = default_operation_context());

} // namespace holobroker::wire
