#pragma once

// A strict, allocation-light reader for flat JSON objects (hololinked
// headers and execution contexts), built on RapidJSON's SAX reader: it
// validates the whole document (syntax, UTF-8, a single root) and reports
// each top-level member with its raw JSON text, so nested objects can be
// forwarded verbatim or read again with the same function.

#include <optional>
#include <string>
#include <string_view>

#include "holobroker/wire/codec_error.hpp"

namespace holobroker::wire::detail {

enum class json_kind { string, number, boolean, null, object, array };

std::string_view to_string(json_kind kind) noexcept;

struct json_member {
  std::string_view key;
  json_kind kind;
  std::string_view string; ///< decoded text, for json_kind::string
  double number = 0;       ///< for json_kind::number
  bool boolean = false;    ///< for json_kind::boolean
  std::string_view raw;    ///< the value's JSON text as it appears in the input
};

/// Callback type: returns an error to stop reading.
struct member_visitor {
  virtual ~member_visitor() = default;
  virtual std::optional<codec_error> on_member(const json_member& member) = 0;
};

/// Reads `json`, which must be one JSON object, calling `visitor` for every
/// top-level member in order. `what` names the document in error messages
/// (e.g. "header").
std::optional<codec_error> read_members(std::string_view json, std::string_view what,
                                        member_visitor& visitor);

/// "wrong_type: header field \"messageID\" must be a string, not number".
codec_error wrong_type(std::string_view what, const json_member& member,
                       std::string_view expected);

/// Copies a string member into `out`, or names the type mismatch.
std::optional<codec_error> assign_string(std::string_view what, const json_member& member,
                                         std::string& out);

} // namespace holobroker::wire::detail
