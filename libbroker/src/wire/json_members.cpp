#include "json_members.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <fmt/format.h>

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
          fmt::format("{} field \"{}\" must be {}, not {}", what, member.key, expected,
                      to_string(member.kind))};
}

std::optional<codec_error> assign_string(std::string_view what, const json_member& member,
                                         std::string& out) {
  if (member.kind != json_kind::string)
    return wrong_type(what, member, "a string");
  out.assign(member.string);
  return std::nullopt;
}

namespace {

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
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return depth_ == 1 ? complete(json_kind::object) : true;
  }
  bool StartArray() {
    if (depth_ == 0)
      return false; // root must be an object
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return depth_ == 1 ? complete(json_kind::array) : true;
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
    return complete(kind);
  }

  bool complete(json_kind kind) {
    member_.key = key_;
    member_.kind = kind;
    member_.raw = json_.substr(value_start_, stream_.Tell() - value_start_);
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
  constexpr unsigned flags = rapidjson::kParseValidateEncodingFlag
                             | rapidjson::kParseFullPrecisionFlag;
  auto result = reader.Parse<flags>(stream, handler);
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

} // namespace holobroker::wire::detail
