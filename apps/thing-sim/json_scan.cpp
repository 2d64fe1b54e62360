#include "json_scan.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace holobroker::sim {

namespace {

struct scan_handler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, scan_handler> {
  int depth = 0;
  bool first = true;
  json_scan* out = nullptr;

  bool Default() {
    first = false;
    return true;
  }
  bool StartObject() {
    if (first)
      out->is_object = true;
    first = false;
    ++depth;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth;
    return true;
  }
  bool StartArray() {
    first = false;
    ++depth;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth;
    return true;
  }
  bool Key(const char* str, rapidjson::SizeType len, bool) {
    if (depth == 1 && out->is_object && std::string_view{str, len} == "__args__")
      out->has_args_key = true;
    return true;
  }
};

} // namespace

json_scan scan_json(std::string_view text) {
  json_scan result;
  if (text.empty()) {
    result.error = "Input data was truncated";
    return result;
  }
  scan_handler handler;
  handler.out = &result;
  rapidjson::MemoryStream ms{text.data(), text.size()};
  rapidjson::Reader reader;
  auto ok = reader.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNanAndInfFlag>(
    ms, handler);
  if (ok.IsError()) {
    result.error = std::string{"JSON is malformed: "} + rapidjson::GetParseError_En(ok.Code())
                   + " (byte " + std::to_string(ok.Offset()) + ")";
    return result;
  }
  result.valid = true;
  return result;
}

} // namespace holobroker::sim
