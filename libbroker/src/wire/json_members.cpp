#include "json_members.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include "json_text.hpp"

namespace holobroker::wire::detail {

std::string_view to_string(json_kind kind) noexcept {
  switch (kind) {
    case json_kind::string: return "string";
    case json_kind::number: return "number";
    case json_kind::boolean: return "boolean";
    case json_kind::null: return "null";
    case json_kind::object: return "object";
    case json_kind::array: return "array";
  }
  return "unknown";
}

codec_error wrong_type(std::string_view what, const json_member& member,
                       std::string_view expected) {
  return {codec_errc::wrong_type,
          fmt::format("{} field {} must be {}, not {}", what, quoted(member.key), expected,
                      to_string(member.kind))};
}

std::optional<codec_error> mark_seen(unsigned& seen, unsigned bit, std::string_view what,
                                     const json_member& member) {
  if ((seen & bit) != 0)
    return codec_error{codec_errc::bad_value,
                       fmt::format("{} has field {} twice", what, quoted(member.key))};
  seen |= bit;
  return std::nullopt;
}

std::optional<codec_error> assign_string(std::string_view what, const json_member& member,
                                         std::string& out) {
  if (member.kind != json_kind::string)
    return wrong_type(what, member, "a string");
  out.assign(member.string);
  return std::nullopt;
}

namespace {

// Iterative parsing keeps the stack flat however deeply a hostile document
// nests (`[[[[…`): the recursive default overflows the stack. Encoding
// validation makes every string we hand out valid UTF-8.
constexpr unsigned parse_flags = rapidjson::kParseValidateEncodingFlag
                                 | rapidjson::kParseFullPrecisionFlag
                                 | rapidjson::kParseIterativeFlag;

// SAX handler: depth 1 is the root object. Values at depth 1 are reported
// when complete; deeper values only move the depth counter.
class flat_object_handler {
public:
  flat_object_handler(std::string_view json, const rapidjson::MemoryStream& stream,
                      member_visitor& visitor)
    : json_(json), stream_(stream), visitor_(visitor) {}

  std::optional<codec_error> error;
  bool root_is_object = false;

  bool Null() { return scalar(json_kind::null); }
  bool Bool(bool b) {
    member_.boolean = b;
    return scalar(json_kind::boolean);
  }
  bool Int(int i) { return number(i); }
  bool Uint(unsigned u) { return number(u); }
  bool Int64(int64_t i) { return number(static_cast<double>(i)); }
  bool Uint64(uint64_t u) { return number(static_cast<double>(u)); }
  bool Double(double d) { return number(d); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return false; }
  bool String(const char* str, rapidjson::SizeType len, bool) {
    member_.string = std::string_view{str, len};
    return scalar(json_kind::string);
  }
  bool StartObject() {
    if (depth_ == 0)
      root_is_object = true;
    ++depth_;
    return true;
  }
  bool Key(const char* str, rapidjson::SizeType len, bool) {
    if (depth_ == 1) {
      key_.assign(str, len);
      member_ = json_member{};
      // The value starts after the ':' that follows the key's closing quote.
      auto colon = json_.find(':', stream_.Tell());
      value_start_ = json_.find_first_not_of(" \t\r\n", colon + 1);
    }
    return true;
  }
  // The iterative parser reports the end of a container before it consumes
  // the closing bracket, so the raw text of a container ends one byte later.
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return depth_ == 1 ? complete(json_kind::object, stream_.Tell() + 1) : true;
  }
  bool StartArray() {
    if (depth_ == 0)
      return false; // root must be an object
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return depth_ == 1 ? complete(json_kind::array, stream_.Tell() + 1) : true;
  }

private:
  bool number(double d) {
    member_.number = d;
    return scalar(json_kind::number);
  }

  bool scalar(json_kind kind) {
    if (depth_ == 0)
      return false; // root must be an object
    if (depth_ != 1)
      return true;
    return complete(kind, stream_.Tell());
  }

  bool complete(json_kind kind, std::size_t end) {
    member_.key = key_;
    member_.kind = kind;
    member_.raw = json_.substr(value_start_, end - value_start_);
    error = visitor_.on_member(member_);
    return !error;
  }

  std::string_view json_;
  const rapidjson::MemoryStream& stream_;
  member_visitor& visitor_;
  int depth_ = 0;
  std::size_t value_start_ = 0;
  std::string key_;
  json_member member_;
};

} // namespace

std::optional<codec_error> read_members(std::string_view json, std::string_view what,
                                        member_visitor& visitor) {
  rapidjson::MemoryStream stream{json.data(), json.size()};
  flat_object_handler handler{json, stream, visitor};
  rapidjson::Reader reader;
  auto result = reader.Parse<parse_flags>(stream, handler);
  if (handler.error)
    return handler.error;
  if (!handler.root_is_object && (result || result.Code() == rapidjson::kParseErrorTermination))
    return codec_error{codec_errc::not_object, fmt::format("{} is not a JSON object", what)};
  if (!result)
    return codec_error{codec_errc::not_json,
                       fmt::format("{} is not JSON: {} at offset {}", what,
                                   rapidjson::GetParseError_En(result.Code()),
                                   result.Offset())};
  return std::nullopt;
}

namespace {

// SAX handler for `["a","b",…]`: anything but a flat list of strings stops
// the parse with an error naming the offending element.
class string_list_handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>,
                                                                  string_list_handler> {
public:
  string_list_handler(std::string_view what, std::vector<std::string>& out)
    : what_(what), out_(out) {}

  std::optional<codec_error> error;

  bool Default() {
    error = codec_error{codec_errc::wrong_type,
                        fmt::format("{} must be a list of strings; element {} is not a string",
                                    what_, out_.size())};
    return false;
  }
  bool String(const char* str, rapidjson::SizeType len, bool) {
    if (depth_ != 1)
      return Default();
    out_.emplace_back(str, len);
    return true;
  }
  bool StartObject() { return Default(); }
  bool StartArray() {
    if (depth_ != 0) {
      return Default();
    }
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }

private:
  std::string_view what_;
  std::vector<std::string>& out_;
  int depth_ = 0;
};

} // namespace

std::optional<codec_error> read_string_list(std::string_view json, std::string_view what,
                                            std::vector<std::string>& out) {
  rapidjson::MemoryStream stream{json.data(), json.size()};
  string_list_handler handler{what, out};
  rapidjson::Reader reader;
  auto result = reader.Parse<parse_flags>(stream, handler);
  if (handler.error)
    return handler.error;
  if (!result)
    return codec_error{codec_errc::not_json,
                       fmt::format("{} is not JSON: {} at offset {}", what,
                                   rapidjson::GetParseError_En(result.Code()),
                                   result.Offset())};
  return std::nullopt;
}

namespace {

codec_error not_json_error(std::string_view what, const rapidjson::ParseResult& result) {
  return codec_error{codec_errc::not_json,
                     fmt::format("{} is not JSON: {} at offset {}", what,
                                 rapidjson::GetParseError_En(result.Code()), result.Offset())};
}

class single_string_handler
  : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, single_string_handler> {
public:
  explicit single_string_handler(std::string& out) : out_(out) {}

  bool is_string = false;

  bool Default() { return false; }
  bool String(const char* str, rapidjson::SizeType len, bool) {
    out_.assign(str, len);
    is_string = true;
    return true;
  }

private:
  std::string& out_;
};

} // namespace

std::optional<codec_error> read_string(std::string_view json, std::string_view what,
                                       std::string& out) {
  rapidjson::MemoryStream stream{json.data(), json.size()};
  single_string_handler handler{out};
  rapidjson::Reader reader;
  auto result = reader.Parse<parse_flags>(stream, handler);
  if (!result && result.Code() == rapidjson::kParseErrorTermination)
    return codec_error{codec_errc::wrong_type, fmt::format("{} is not a JSON string", what)};
  if (!result)
    return not_json_error(what, result);
  return std::nullopt;
}

namespace {

// RapidJSON 1.1's Writer::RawNumber writes the digits as a *string*; number
// text must go out verbatim as a number.
class compact_writer : public rapidjson::Writer<rapidjson::StringBuffer> {
public:
  using Writer::Writer;

  bool RawNumber(const char* str, rapidjson::SizeType len, bool) {
    return RawValue(str, len, rapidjson::kNumberType);
  }
};

} // namespace

std::optional<codec_error> append_compact(std::string& out, std::string_view json,
                                          std::string_view what) {
  rapidjson::MemoryStream stream{json.data(), json.size()};
  rapidjson::StringBuffer buffer;
  compact_writer writer{buffer};
  rapidjson::Reader reader;
  // Numbers as strings: the writer copies their text, so 1.10 stays 1.10.
  constexpr unsigned flags = parse_flags | rapidjson::kParseNumbersAsStringsFlag;
  auto result = reader.Parse<flags>(stream, writer);
  if (!result)
    return not_json_error(what, result);
  out.append(buffer.GetString(), buffer.GetSize());
  return std::nullopt;
}

} // namespace holobroker::wire::detail
