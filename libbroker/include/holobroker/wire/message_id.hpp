#pragma once

#include <string>
#include <string_view>

namespace holobroker::wire {

/// A new canonical lowercase UUID4 with hyphens (36 characters), as real
/// clients use for every message, including each handshake retry.
std::string new_message_id();

/// Whether `text` is a canonical lowercase UUID (any version). The real
/// server does not validate ids; this is for tests and diagnostics.
bool is_canonical_uuid(std::string_view text) noexcept;

} // namespace holobroker::wire
