#pragma once

// What a test reads out of a hololinked response.

#include <optional>

#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/response.hpp"

namespace holobroker::test {

/// The exception an EXCEPTION response carries; nothing for any other
/// response type or an unparsable payload.
inline std::optional<wire::remote_exception> exception_of(const wire::response& r) {
  if (r.header.type != wire::message_type::exception)
    return std::nullopt;
  auto ex = wire::parse_remote_exception(r.payload.view());
  if (!ex)
    return std::nullopt;
  return *ex;
}

} // namespace holobroker::test
