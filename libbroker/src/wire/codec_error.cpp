#include "holobroker/wire/codec_error.hpp"

namespace holobroker::wire {

std::string_view to_string(codec_errc code) noexcept {
  switch (code) {
    case codec_errc::frame_count: return "frame_count";
    case codec_errc::not_json: return "not_json";
    case codec_errc::not_object: return "not_object";
    case codec_errc::missing_field: return "missing_field";
    case codec_errc::wrong_type: return "wrong_type";
    case codec_errc::unknown_field: return "unknown_field";
    case codec_errc::bad_value: return "bad_value";
  }
  return "unknown";
}

std::string codec_error::to_string() const {
  std::string result{wire::to_string(code)};
  result += ": ";
  result += what;
  return result;
}

} // namespace holobroker::wire
