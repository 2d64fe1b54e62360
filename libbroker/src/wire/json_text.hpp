#pragma once

// Compact JSON writing helpers shared by the header encoders. Output matches
// msgspec (the real peers' serializer): no spaces, non-ASCII UTF-8 kept as
// is, floats always with a fraction or exponent ("5.0", "0.5").

#include <string>
#include <string_view>

namespace holobroker::wire::detail {

/// Appends `text` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

/// Appends a double exactly as msgspec writes it: shortest round-trip
/// digits, "5.0" for integral values, "0.0001", "1e-7", "1e21", "1.5e300";
/// non-finite values (not valid JSON) are written as null, as msgspec does.
void append_json_double(std::string& out, double value);

/// `text` as a JSON string literal for error messages, cut to about
/// `max_size` bytes so that a hostile 1 MiB key does not end up in a log line.
std::string quoted(std::string_view text, std::size_t max_size = 64);

/// Appends `"key":` for a key that needs no escaping.
inline void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

} // namespace holobroker::wire::detail
