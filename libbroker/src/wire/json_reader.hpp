#pragma once

// A strict, iterative JSON reader (RFC 8259) for the codec: it validates a
// whole document (syntax, UTF-8 including the string escapes, one root value,
// nothing after it) and reports values with their exact byte ranges to a
// handler. Iterative, so nesting depth costs heap, not stack; it never
// throws, never reads past the input and has no undefined behaviour on any
// byte sequence (RapidJSON 1.1 as packaged by Debian does null-pointer
// arithmetic in its internal stack, which UBSan reports on every parse).
//
// Handler interface (all return false to stop; the handler keeps its reason):
//   bool begin_container(json_event_kind kind, int depth, std::size_t begin);
//   bool end_container(json_event_kind kind, int depth, std::size_t begin,
//                      std::size_t end);
//   bool key(int depth, std::string_view decoded);     // depth of the object
//   bool scalar(const json_scalar& value);
// Depth 0 is the root value; members of a root object have depth 1.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace holobroker::wire::detail {

enum class json_event_kind { string, number, boolean, null, object, array };

struct json_scalar {
  json_event_kind kind;
  int depth;
  std::size_t begin; ///< offset of the value's first byte
  std::size_t end;   ///< offset one past its last byte
  std::string_view string; ///< decoded text for strings
  double number = 0;
  bool boolean = false;
};

/// Why a document is not JSON, with the offset of the offending byte.
struct json_syntax_error {
  std::string_view reason;
  std::size_t offset;
};

/// The outcome of a read: stopped by the handler, a syntax error, or done.
struct json_read_result {
  bool stopped = false;
  bool ok = false;
  json_syntax_error error{"", 0};
};

class json_reader {
public:
  explicit json_reader(std::string_view text) : in_(text) {}

  template <class Handler>
  json_read_result read(Handler& handler);

private:
  bool at_end() const noexcept { return pos_ >= in_.size(); }
  unsigned char peek() const noexcept { return static_cast<unsigned char>(in_[pos_]); }

  void skip_whitespace() noexcept {
    while (!at_end()) {
      auto c = peek();
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        return;
      ++pos_;
    }
  }

  bool fail(std::string_view reason) noexcept {
    error_ = {reason, pos_};
    return false;
  }

  bool read_literal(std::string_view word) noexcept {
    if (in_.substr(pos_, word.size()) != word)
      return fail("invalid value");
    pos_ += word.size();
    return true;
  }

  bool read_digits() noexcept {
    if (at_end() || peek() < '0' || peek() > '9')
      return fail("a digit is expected");
    while (!at_end() && peek() >= '0' && peek() <= '9')
      ++pos_;
    return true;
  }

  bool read_number(double& value) noexcept {
    auto begin = pos_;
    if (peek() == '-')
      ++pos_;
    if (at_end())
      return fail("a digit is expected");
    if (peek() == '0') {
      ++pos_;
    } else if (!read_digits()) {
      return false;
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (!read_digits())
        return false;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-'))
        ++pos_;
      if (!read_digits())
        return false;
    }
    auto [ptr, ec] = std::from_chars(in_.data() + begin, in_.data() + pos_, value);
    if (ec == std::errc{} && ptr == in_.data() + pos_)
      return true;
    // Out of range: too small rounds to zero as in Python (1e-400 -> 0.0),
    // too large has no double and is an error.
    if (ec == std::errc::result_out_of_range && underflows(in_.substr(begin, pos_ - begin))) {
      value = in_[begin] == '-' ? -0.0 : 0.0;
      return true;
    }
    pos_ = begin;
    return fail("number out of the range of a double");
  }

  // Whether a syntactically valid number is below 1 in magnitude, judged by
  // the position of its first significant digit and its exponent.
  static bool underflows(std::string_view number) noexcept {
    std::size_t i = number.front() == '-' ? 1 : 0;
    long order = 0; // decimal exponent of the first significant digit, plus one
    bool significant = false;
    for (; i < number.size() && number[i] >= '0' && number[i] <= '9'; ++i)
      if (significant || number[i] != '0') {
        significant = true;
        ++order;
      }
    if (i < number.size() && number[i] == '.') {
      for (++i; i < number.size() && number[i] >= '0' && number[i] <= '9'; ++i) {
        if (significant)
          continue;
        if (number[i] != '0')
          significant = true;
        else
          --order;
      }
    }
    long exponent = 0;
    bool negative = false;
    if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
      ++i;
      if (number[i] == '+' || number[i] == '-')
        negative = number[i++] == '-';
      for (; i < number.size(); ++i)
        if (exponent < 100000)
          exponent = exponent * 10 + (number[i] - '0');
    }
    return order + (negative ? -exponent : exponent) < 0;
  }

  bool read_hex4(std::uint32_t& code) noexcept {
    if (in_.size() - pos_ < 4)
      return fail("incomplete \\u escape");
    code = 0;
    for (int i = 0; i < 4; ++i) {
      auto c = peek();
      std::uint32_t digit;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      else
        return fail("invalid \\u escape");
      code = code * 16 + digit;
      ++pos_;
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  // One UTF-8 encoded character of two or more bytes, validated: no overlong
  // forms, no surrogates, nothing above U+10FFFF.
  bool read_utf8_sequence() noexcept {
    auto lead = peek();
    int continuation;
    unsigned char low = 0x80, high = 0xBF; // range of the first continuation byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      continuation = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      continuation = 2;
      if (lead == 0xE0)
        low = 0xA0;
      else if (lead == 0xED)
        high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      continuation = 3;
      if (lead == 0xF0)
        low = 0x90;
      else if (lead == 0xF4)
        high = 0x8F;
    } else {
      return fail("invalid UTF-8");
    }
    if (in_.size() - pos_ <= static_cast<std::size_t>(continuation))
      return fail("invalid UTF-8");
    for (int i = 1; i <= continuation; ++i) {
      auto c = static_cast<unsigned char>(in_[pos_ + i]);
      if (i == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF))
        return fail("invalid UTF-8");
    }
    pos_ += 1 + continuation;
    return true;
  }

  // The offset of the first byte at or after `pos` that is not printable
  // ASCII other than '"' and '\\'.
  std::size_t skip_plain_ascii(std::size_t pos) const noexcept {
    const auto* data = reinterpret_cast<const unsigned char*>(in_.data());
    const auto size = in_.size();
    // Eight bytes at a time: a word is plain when no byte is below 0x20, at
    // or above 0x80, '"' or '\\' (classic SWAR zero-byte tests).
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = 0x8080808080808080ull;
    auto has_zero_byte = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    while (size - pos >= 8) {
      std::uint64_t word;
      std::memcpy(&word, data + pos, 8);
      auto special = ((word - ones * 0x20) & ~word & highs) | (word & highs)
                     | has_zero_byte(word ^ (ones * '"')) | has_zero_byte(word ^ (ones * '\\'));
      if (special != 0)
        break;
      pos += 8;
    }
    while (pos < size) {
      auto c = data[pos];
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
        break;
      ++pos;
    }
    return pos;
  }

  // Reads a string starting at the opening quote. `decoded` views the input
  // when there are no escapes, else `scratch`.
  bool read_string(std::string& scratch, std::string_view& decoded) {
    ++pos_; // opening quote
    auto begin = pos_;
    bool escaped = false;
    while (true) {
      if (at_end())
        return fail("missing closing quote of a string");
      auto c = peek();
      if (c == '"')
        break;
      if (c < 0x20)
        return fail("control character in a string");
      if (c == '\\') {
        if (!escaped) {
          scratch.assign(in_.data() + begin, pos_ - begin);
          escaped = true;
        }
        ++pos_;
        if (at_end())
          return fail("missing closing quote of a string");
        auto e = peek();
        ++pos_;
        switch (e) {
          case '"': scratch += '"'; break;
          case '\\': scratch += '\\'; break;
          case '/': scratch += '/'; break;
          case 'b': scratch += '\b'; break;
          case 'f': scratch += '\f'; break;
          case 'n': scratch += '\n'; break;
          case 'r': scratch += '\r'; break;
          case 't': scratch += '\t'; break;
          case 'u': {
            std::uint32_t code;
            if (!read_hex4(code))
              return false;
            if (code >= 0xDC00 && code <= 0xDFFF)
              return fail("lone low surrogate in a \\u escape");
            if (code >= 0xD800 && code <= 0xDBFF) {
              if (in_.substr(pos_, 2) != "\\u")
                return fail("high surrogate without its low surrogate");
              pos_ += 2;
              std::uint32_t low;
              if (!read_hex4(low))
                return false;
              if (low < 0xDC00 || low > 0xDFFF)
                return fail("high surrogate without its low surrogate");
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            }
            append_utf8(scratch, code);
            break;
          }
          default:
            --pos_;
            return fail("invalid escape in a string");
        }
        continue;
      }
      auto start = pos_;
      if (c < 0x80) {
        // Fast path: a run of plain printable ASCII, the bulk of every header.
        pos_ = skip_plain_ascii(pos_ + 1);
      } else if (!read_utf8_sequence()) {
        return false;
      }
      if (escaped)
        scratch.append(in_.data() + start, pos_ - start);
    }
    decoded = escaped ? std::string_view{scratch}
                      : std::string_view{in_.data() + begin, pos_ - begin};
    ++pos_; // closing quote
    return true;
  }

  struct open_container {
    json_event_kind kind;
    std::size_t begin;
  };

  std::string_view in_;
  std::size_t pos_ = 0;
  json_syntax_error error_{"", 0};
  // The containers being read, innermost last. Headers nest two levels, so
  // the first levels live inline; deeper documents spill onto the heap.
  class container_stack {
  public:
    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    const open_container& back() const noexcept {
      return size_ <= inline_capacity ? inline_[size_ - 1] : spill_.back();
    }
    void push_back(open_container c) {
      if (size_ < inline_capacity)
        inline_[size_] = c;
      else
        spill_.push_back(c);
      ++size_;
    }
    void pop_back() noexcept {
      if (size_ > inline_capacity)
        spill_.pop_back();
      --size_;
    }

  private:
    static constexpr std::size_t inline_capacity = 8;
    open_container inline_[inline_capacity];
    std::vector<open_container> spill_;
    std::size_t size_ = 0;
  };

  container_stack open_;
  std::string key_scratch_;
  std::string value_scratch_;
};

template <class Handler>
json_read_result json_reader::read(Handler& handler) {
  enum class expect { value, key, separator };
  json_read_result result;
  auto stop = [&] {
    result.stopped = true;
    return result;
  };
  auto syntax_error = [&] {
    result.error = error_;
    return result;
  };
  auto depth = [&] { return static_cast<int>(open_.size()); };
  expect state = expect::value;
  skip_whitespace();
  if (at_end()) {
    fail("the document is empty");
    return syntax_error();
  }
  while (true) {
    skip_whitespace();
    if (state == expect::key) {
      if (at_end() || peek() != '"') {
        fail("a member name (a string) is expected");
        return syntax_error();
      }
      std::string_view name;
      if (!read_string(key_scratch_, name))
        return syntax_error();
      if (!handler.key(depth(), name))
        return stop();
      skip_whitespace();
      if (at_end() || peek() != ':') {
        fail("':' is expected after a member name");
        return syntax_error();
      }
      ++pos_;
      state = expect::value;
      continue;
    }
    if (state == expect::separator) {
      if (open_.empty()) {
        if (!at_end()) {
          fail("the root value is followed by more text");
          return syntax_error();
        }
        result.ok = true;
        return result;
      }
      auto top = open_.back();
      char close = top.kind == json_event_kind::object ? '}' : ']';
      if (!at_end() && peek() == ',') {
        ++pos_;
        state = top.kind == json_event_kind::object ? expect::key : expect::value;
        continue;
      }
      if (!at_end() && peek() == static_cast<unsigned char>(close)) {
        ++pos_;
        open_.pop_back();
        if (!handler.end_container(top.kind, depth(), top.begin, pos_))
          return stop();
        continue;
      }
      fail(top.kind == json_event_kind::object ? "',' or '}' is expected in an object"
                                               : "',' or ']' is expected in a list");
      return syntax_error();
    }
    // expect::value
    if (at_end()) {
      fail("a value is expected");
      return syntax_error();
    }
    auto c = peek();
    if (c == '{' || c == '[') {
      auto kind = c == '{' ? json_event_kind::object : json_event_kind::array;
      if (!handler.begin_container(kind, depth(), pos_))
        return stop();
      open_.push_back({kind, pos_});
      ++pos_;
      skip_whitespace();
      char close = c == '{' ? '}' : ']';
      if (!at_end() && peek() == static_cast<unsigned char>(close)) {
        ++pos_;
        auto top = open_.back();
        open_.pop_back();
        if (!handler.end_container(kind, depth(), top.begin, pos_))
          return stop();
        state = expect::separator;
      } else {
        state = kind == json_event_kind::object ? expect::key : expect::value;
      }
      continue;
    }
    json_scalar value{json_event_kind::null, depth(), pos_, pos_, {}, 0, false};
    bool ok;
    switch (c) {
      case '"':
        value.kind = json_event_kind::string;
        ok = read_string(value_scratch_, value.string);
        break;
      case 't':
        value.kind = json_event_kind::boolean;
        value.boolean = true;
        ok = read_literal("true");
        break;
      case 'f':
        value.kind = json_event_kind::boolean;
        ok = read_literal("false");
        break;
      case 'n':
        ok = read_literal("null");
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          value.kind = json_event_kind::number;
          ok = read_number(value.number);
        } else {
          ok = fail("invalid value");
        }
    }
    if (!ok)
      return syntax_error();
    value.end = pos_;
    if (!handler.scalar(value))
      return stop();
    state = expect::separator;
  }
}

} // namespace holobroker::wire::detail
