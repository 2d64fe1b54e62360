#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace holobroker::test {

/// Standard base64 (RFC 4648) with padding; nullopt on invalid input.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace holobroker::test
