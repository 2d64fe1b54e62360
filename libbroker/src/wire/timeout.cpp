#include "holobroker/wire/timeout.hpp"

#include <fmt/format.h>

#include "json_members.hpp"
#include "json_text.hpp"

namespace holobroker::wire {

std::string_view to_string(timeout_kind kind) noexcept {
  switch (kind) {
    case timeout_kind::invokation: return "invokation";
    case timeout_kind::execution: return "execution";
  }
  return "execution";
}

std::string to_json(timeout_kind kind) {
  std::string out;
  detail::append_json_string(out, to_string(kind));
  return out;
}

codec_result<timeout_kind> parse_timeout_payload(std::string_view json) {
  constexpr std::string_view what = "TIMEOUT payload";
  std::string text;
  if (auto err = detail::read_string(json, what, text))
    return unexpected{std::move(*err)};
  for (auto kind : {timeout_kind::invokation, timeout_kind::execution})
    if (text == to_string(kind))
      return kind;
  return fail(codec_errc::bad_value,
              fmt::format("{} is {}; expected \"invokation\" or \"execution\"", what,
                          detail::quoted(text)));
}

} // namespace holobroker::wire
