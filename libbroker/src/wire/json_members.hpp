#pragma once

// A strict, allocation-light reader for flat JSON objects (hololinked
// headers and execution contexts), built on json_reader: it validates the
// whole document (syntax, UTF-8, a single root) and reports each top-level
// member with its raw JSON text, so nested objects can be forwarded verbatim
// or taken apart in the same pass by a nested visitor.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

  /// A visitor for the members of the object value of top-level member
  /// `key`, called before that object is read; nullptr (the default) skips
  /// them. Lets a reader take nested objects apart in the same pass. The
  /// nested visitor's errors are reported before on_member of `key`.
  virtual member_visitor* nested(std::string_view key) {
    static_cast<void>(key);
    return nullptr;
  }
};

/// Reads `json`, which must be one JSON object, calling `visitor` for every
/// top-level member in order (and a nested visitor for the members of
/// top-level objects it asks for). `what` names the document in error messages
/// (e.g. "header").
std::optional<codec_error> read_members(std::string_view json, std::string_view what,
                                        member_visitor& visitor);

/// Reads `json`, which must be a list of strings, appending them to `out`.
std::optional<codec_error> read_string_list(std::string_view json, std::string_view what,
                                            std::vector<std::string>& out);

/// Reads `json`, which must be a single JSON string, into `out`.
std::optional<codec_error> read_string(std::string_view json, std::string_view what,
                                       std::string& out);

/// Appends `json` (any JSON value) to `out` in compact form: whitespace
/// dropped, numbers kept verbatim, strings re-escaped. Validates as it goes.
std::optional<codec_error> append_compact(std::string& out, std::string_view json,
                                          std::string_view what);

/// "wrong_type: header field \"messageID\" must be a string, not number".
codec_error wrong_type(std::string_view what, const json_member& member,
                       std::string_view expected);

/// Records that the field `bit` was seen; a second occurrence is a bad_value
/// error: JSON leaves duplicate keys undefined and we refuse to guess which
/// one a peer meant.
codec_error duplicate_field(std::string_view what, const json_member& member);

inline std::optional<codec_error> mark_seen(unsigned& seen, unsigned bit, std::string_view what,
                                            const json_member& member) {
  if ((seen & bit) != 0)
    return duplicate_field(what, member);
  seen |= bit;
  return std::nullopt;
}

/// Copies a string member into `out`, or names the type mismatch.
std::optional<codec_error> assign_string(std::string_view what, const json_member& member,
                                         std::string& out);

/// mark_seen, then a wrong_type error unless the member is of `kind`
/// (`expected` says so in words: "a boolean").
inline std::optional<codec_error> check_member(unsigned& seen, unsigned bit, std::string_view what,
                                               const json_member& member, json_kind kind,
                                               std::string_view expected) {
  if (auto err = mark_seen(seen, bit, what, member))
    return err;
  if (member.kind != kind)
    return wrong_type(what, member, expected);
  return std::nullopt;
}

} // namespace holobroker::wire::detail
