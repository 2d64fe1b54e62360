#include "holobroker/security/principal.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace holobroker::security {

namespace {

template <class Int>
std::optional<Int> number(std::string_view text) {
  Int value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    return std::nullopt;
  return value;
}

/// Splits at the first `sep`; the rest is empty when there is none.
std::pair<std::string_view, std::string_view> split(std::string_view text, char sep) {
  auto pos = text.find(sep);
  if (pos == std::string_view::npos)
    return {text, {}};
  return {text.substr(0, pos), text.substr(pos + 1)};
}

} // namespace

std::string principal::describe() const {
  switch (kind) {
    case principal_kind::unix_peer: return fmt::format("uid {} (gid {})", uid, gid);
    case principal_kind::tcp_peer: return "tcp " + address;
    case principal_kind::curve_key: return "key " + key_name;
    case principal_kind::anonymous: break;
  }
  return "anonymous";
}

std::string principal::user_id() const {
  switch (kind) {
    case principal_kind::unix_peer:
      return fmt::format("unix:{}:{}:{}", uid, gid, fmt::join(groups, ","));
    case principal_kind::tcp_peer: return "tcp:" + address;
    case principal_kind::curve_key: return "curve:" + key_name;
    case principal_kind::anonymous: break;
  }
  return {};
}

bool principal::in_group(std::uint32_t g) const {
  return kind == principal_kind::unix_peer
         && (gid == g || std::find(groups.begin(), groups.end(), g) != groups.end());
}

std::optional<principal> parse_user_id(std::string_view text) {
  principal p;
  if (text.empty())
    return p;
  auto [scheme, rest] = split(text, ':');
  if (scheme == "tcp" && !rest.empty()) {
    p.kind = principal_kind::tcp_peer;
    p.address = std::string{rest};
    return p;
  }
  if (scheme == "curve" && !rest.empty()) {
    p.kind = principal_kind::curve_key;
    p.key_name = std::string{rest};
    return p;
  }
  if (scheme != "unix")
    return std::nullopt;
  auto [uid, rest2] = split(rest, ':');
  auto [gid, groups] = split(rest2, ':');
  auto u = number<std::uint32_t>(uid);
  auto g = number<std::uint32_t>(gid);
  if (!u || !g)
    return std::nullopt;
  p.kind = principal_kind::unix_peer;
  p.uid = *u;
  p.gid = *g;
  while (!groups.empty()) {
    auto [one, more] = split(groups, ',');
    auto n = number<std::uint32_t>(one);
    if (!n)
      return std::nullopt;
    p.groups.push_back(*n);
    groups = more;
  }
  return p;
}

std::optional<principal> unix_peer_of_zap_address(std::string_view address) {
  // From the right: the host part is whatever getnameinfo() said.
  std::uint32_t fields[3] = {};
  for (int i = 2; i >= 0; --i) {
    auto pos = address.rfind(':');
    if (pos == std::string_view::npos)
      return std::nullopt;
    auto n = number<std::uint32_t>(address.substr(pos + 1));
    if (!n)
      return std::nullopt;
    fields[i] = *n;
    address = address.substr(0, pos);
  }
  principal p;
  p.kind = principal_kind::unix_peer;
  p.uid = fields[0];
  p.gid = fields[1];
  return p;
}

} // namespace holobroker::security
