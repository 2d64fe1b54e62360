#pragma once

#include <string>
#include <string_view>

#include "holobroker/expected.hpp"

namespace holobroker::wire {

/// Why a byte sequence is not a valid hololinked message.
enum class codec_errc {
  frame_count,      ///< wrong number of frames
  not_json,         ///< a JSON frame does not parse
  not_object,       ///< a JSON frame is not an object where one is required
  missing_field,    ///< a required header field is absent
  wrong_type,       ///< a field has the wrong JSON type
  unknown_field,    ///< a request header carries a key the server rejects
  bad_value,        ///< a field has a value outside its domain
};

std::string_view to_string(codec_errc code) noexcept;

/// An error value that names what was wrong, e.g.
/// `missing_field: header has no "messageID"`.
struct codec_error {
  codec_errc code;
  std::string what;

  std::string to_string() const;
};

template <class T>
using codec_result = expected<T, codec_error>;

/// Shorthand for `unexpected{codec_error{code, what}}`.
inline unexpected<codec_error> fail(codec_errc code, std::string what) {
  return unexpected<codec_error>{codec_error{code, std::move(what)}};
}

} // namespace holobroker::wire
