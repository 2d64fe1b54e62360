#pragma once

// Compact JSON writing helpers shared by the header encoders. Output matches
// msgspec (the real peers' serializer): no spaces, non-ASCII UTF-8 kept as
// is, floats always with a fraction or exponent ("5.0", "0.5").

#include <string>
#include <string_view>

namespace holobroker::wire::detail {

/// Appends `text` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

/// Appends a finite double in shortest round-trip form with ".0" for
/// integral values; non-finite values (not valid JSON) are written as null.
void append_json_double(std::string& out, double value);

/// Appends `"key":` for a key that needs no escaping.
inline void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

} // namespace holobroker::wire::detail
