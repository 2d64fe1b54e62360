#pragma once

#include <string>
#include <string_view>

#include "holobroker/wire/shared_bytes.hpp"

namespace holobroker::cli {

/// The JSON document printed for a result or an event: the payload as the
/// server sent it; when the server also sent pre-serialized bytes (frame 4),
/// `{"payload":<payload>,"bytes_base64":"..."}`.
std::string result_json(const wire::shared_bytes& payload, const wire::shared_bytes& bytes);

std::string base64(std::string_view bytes);

} // namespace holobroker::cli
