#pragma once

#include <string>
#include <string_view>

#include "holobroker/wire/shared_bytes.hpp"

namespace holobroker::cli {

/// The JSON document printed for a result or an event: the payload as the
/// server sent it; when the server also sent pre-serialized bytes (frame 4),
/// `{"payload":<payload>,"bytes_base64":"..."}`. A payload in
/// `application/msgpack` (what hololinked sends for objects registered with
/// its msgpack serializer) is converted to JSON; a payload in any other
/// non-JSON content type is printed as
/// `{"payload_content_type":"...","payload_base64":"..."}` instead of raw bytes.
std::string result_json(const wire::shared_bytes& payload, const wire::shared_bytes& bytes,
                        std::string_view payload_content_type = "application/json");

std::string base64(std::string_view bytes);

} // namespace holobroker::cli
