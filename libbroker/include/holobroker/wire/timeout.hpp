#pragma once

#include <string>
#include <string_view>

#include "holobroker/wire/codec_error.hpp"

namespace holobroker::wire {

/// Which server-side deadline expired; the payload of a TIMEOUT reply is the
/// JSON string of its name (golden README §9).
enum class timeout_kind {
  invokation, ///< the Thing did not start the operation in time (spelled with k)
  execution,  ///< the operation ran longer than execution_timeout
};

/// "invokation" or "execution".
std::string_view to_string(timeout_kind kind) noexcept;

/// The TIMEOUT payload: `"invokation"` or `"execution"` with quotes.
std::string to_json(timeout_kind kind);

/// Reads a TIMEOUT payload; any other JSON string is bad_value.
codec_result<timeout_kind> parse_timeout_payload(std::string_view json);

} // namespace holobroker::wire
