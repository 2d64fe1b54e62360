#include "json_output.hpp"

#include <nlohmann/json.hpp>

namespace holobroker::cli {

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[]
    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16)
             | (static_cast<unsigned char>(bytes[i + 1]) << 8)
             | static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size())
      n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

namespace {

/// The payload as JSON text, whatever content type it came in.
std::string payload_json(const wire::shared_bytes& payload, std::string_view content_type) {
  if (payload.empty())
    return "null";
  if (content_type.empty() || content_type == "application/json")
    return std::string{payload.view()};
  if (content_type == "application/msgpack") {
    auto v = payload.view();
    auto j = nlohmann::json::from_msgpack(v.begin(), v.end(), true, false);
    if (!j.is_discarded())
      return j.dump();
  }
  return nlohmann::json{{"payload_content_type", content_type},
                        {"payload_base64", base64(payload.view())}}
    .dump();
}

} // namespace

std::string result_json(const wire::shared_bytes& payload, const wire::shared_bytes& bytes,
                        std::string_view payload_content_type) {
  auto text = payload_json(payload, payload_content_type);
  std::string_view value = text;
  if (bytes.empty())
    return std::string{value};
  std::string out{"{\"payload\":"};
  out += value;
  out += ",\"bytes_base64\":\"";
  out += base64(bytes.view());
  out += "\"}";
  return out;
}

} // namespace holobroker::cli
