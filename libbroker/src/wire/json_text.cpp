#include "json_text.hpp"

#include <charconv>
#include <cmath>

namespace holobroker::wire::detail {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out += '"';
}

void append_json_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  if (std::signbit(value))
    out += '-';
  value = std::fabs(value);
  if (value == 0) {
    out += "0.0";
    return;
  }
  // Shortest round-trip digits first ("d.ddde±x"), then msgspec's layout:
  // with n digits and the decimal point after position p = exponent + 1,
  //   0 <= p-n, p <= 16 -> "ddd00.0"   (integral)
  //   0 <  p    <= 16   -> "dd.ddd"
  //  -5 <  p    <= 0    -> "0.000ddd"
  //   otherwise         -> "d.ddde-7", "1e21" (no '+', no leading zeros)
  char buf[40];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string_view sci{buf, static_cast<std::size_t>(end - buf)};
  auto e_pos = sci.find('e');
  char digits[20];
  int n = 0;
  for (char c : sci.substr(0, e_pos))
    if (c != '.')
      digits[n++] = c;
  // "e+21" / "e-07": from_chars takes no '+', and the buffer is not
  // NUL-terminated, so parse the exact range.
  auto exp_text = sci.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text.front() == '+')
    exp_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  int point = exponent + 1;
  std::string_view all{digits, static_cast<std::size_t>(n)};
  if (point >= n && point <= 16) {
    out += all;
    out.append(static_cast<std::size_t>(point - n), '0');
    out += ".0";
  } else if (point > 0 && point <= 16) {
    out += all.substr(0, static_cast<std::size_t>(point));
    out += '.';
    out += all.substr(static_cast<std::size_t>(point));
  } else if (point > -5 && point <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-point), '0');
    out += all;
  } else {
    out += all[0];
    if (n > 1) {
      out += '.';
      out += all.substr(1);
    }
    out += 'e';
    out += std::to_string(exponent);
  }
}

std::string quoted(std::string_view text, std::size_t max_size) {
  std::string out;
  if (text.size() <= max_size) {
    append_json_string(out, text);
    return out;
  }
  // Cut at a UTF-8 character boundary so that the message stays valid text.
  auto cut = max_size;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  append_json_string(out, text.substr(0, cut));
  out.insert(out.size() - 1, "...");
  out += " (";
  out += std::to_string(text.size());
  out += " bytes)";
  return out;
}

} // namespace holobroker::wire::detail
