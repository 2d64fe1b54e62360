#pragma once

// IPv4 / IPv6 address ranges (`10.0.0.0/8`, `::1/128`, a bare address = one
// host) for the TCP front end's allow and deny lists and policy principals.
// An IPv4-mapped IPv6 peer (`::ffff:10.0.0.5`, what a dual-stack socket
// reports) matches IPv4 ranges.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace holobroker::security {

class cidr {
public:
  /// Parses `ADDRESS[/BITS]`; nullopt when either part is invalid.
  static std::optional<cidr> parse(std::string_view text);

  /// Whether `address` (numeric, as libzmq's ZAP request gives it) is in the
  /// range; an unparsable address is in no range.
  bool contains(std::string_view address) const;

  const std::string& text() const noexcept { return text_; }

  friend bool operator==(const cidr& a, const cidr& b) { return a.text_ == b.text_; }

private:
  std::array<std::uint8_t, 16> bytes_{}; ///< IPv4 as IPv4-mapped IPv6
  unsigned bits_ = 0;                    ///< prefix length over the 128 bits
  std::string text_;
};

} // namespace holobroker::security
