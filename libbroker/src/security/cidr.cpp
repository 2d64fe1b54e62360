#include "holobroker/security/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace holobroker::security {

namespace {

/// Any address as 16 bytes, IPv4 mapped to ::ffff:a.b.c.d; `v4` says which.
std::optional<std::array<std::uint8_t, 16>> to_bytes(std::string_view text, bool& v4) {
  std::string s{text};
  // A zone (`fe80::1%eth0`) does not change the address.
  if (auto pct = s.find('%'); pct != std::string::npos)
    s.resize(pct);
  std::array<std::uint8_t, 16> out{};
  in_addr a4{};
  if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &a4, 4);
    v4 = true;
    return out;
  }
  in6_addr a6{};
  if (::inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(out.data(), &a6, 16);
    v4 = false;
    return out;
  }
  return std::nullopt;
}

} // namespace

std::optional<cidr> cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  bool v4 = false;
  auto bytes = to_bytes(text.substr(0, slash), v4);
  if (!bytes)
    return std::nullopt;
  unsigned max = v4 ? 32 : 128;
  unsigned bits = max;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size()
        || bits > max)
      return std::nullopt;
  }
  cidr c;
  c.bytes_ = *bytes;
  c.bits_ = v4 ? bits + 96 : bits;
  c.text_ = std::string{text};
  return c;
}

bool cidr::contains(std::string_view address) const {
  bool v4 = false;
  auto bytes = to_bytes(address, v4);
  if (!bytes)
    return false;
  unsigned full = bits_ / 8;
  if (std::memcmp(bytes->data(), bytes_.data(), full) != 0)
    return false;
  if (unsigned rest = bits_ % 8; rest != 0) {
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    if ((((*bytes)[full]) & mask) != (bytes_[full] & mask))
      return false;
  }
  return true;
}

} // namespace holobroker::security
