#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "holobroker/wire/codec_error.hpp"

namespace holobroker::wire {

/// The payload of EXCEPTION and INVALID_MESSAGE replies:
/// `{"exception":{"message":…,"type":…,"traceback":[…],"notes":…|null}}`.
struct remote_exception {
  std::string message;
  std::string type;
  std::vector<std::string> traceback;
  std::optional<std::string> notes;

  friend bool operator==(const remote_exception&, const remote_exception&) = default;
};

/// Compact JSON in the real server's shape.
std::string to_json(const remote_exception& ex);

/// Requires the `exception` object with string `message` and `type`;
/// `traceback` (list of strings) and `notes` (string or null) are optional.
codec_result<remote_exception> parse_remote_exception(std::string_view json);

} // namespace holobroker::wire
