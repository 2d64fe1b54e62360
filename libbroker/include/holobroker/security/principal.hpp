#pragma once

// Who is asking: the identity the ZAP handler established for a connection,
// carried to the front end on every message as libzmq's "User-Id" metadata
// (text at the edge, this struct inside):
//   unix:<uid>:<gid>:<group>,<group>,...   a local IPC peer (SO_PEERCRED, which
//                                          libzmq 4.3.4 appends to the ZAP address)
//   tcp:<address>                          a TCP peer without CURVE
//   curve:<name>                           a CURVE peer whose public key is
//                                          authorized under <name>
// An empty User-Id (no ZAP ran) is the anonymous principal, which no policy
// rule matches except "*".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace holobroker::security {

enum class principal_kind : std::uint8_t { anonymous, unix_peer, tcp_peer, curve_key };

struct principal {
  principal_kind kind = principal_kind::anonymous;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;              ///< primary group of the peer process
  std::vector<std::uint32_t> groups;  ///< supplementary groups of the peer's user
  std::string address;                ///< tcp: the peer's IP address
  std::string key_name;               ///< curve: the authorized key's name

  /// For logs and PermissionError: `uid 1000 (gid 1000)`, `tcp 10.0.0.5`,
  /// `key alice`, `anonymous`.
  std::string describe() const;
  /// The User-Id text (see above).
  std::string user_id() const;
  bool in_group(std::uint32_t g) const;

  friend bool operator==(const principal&, const principal&) = default;
};

/// Parses a User-Id; nullopt when malformed (the front end then treats the
/// peer as anonymous and says so in the log).
std::optional<principal> parse_user_id(std::string_view text);

/// The peer of a ZAP address for IPC, `localhost:<uid>:<gid>:<pid>` in
/// libzmq 4.3.4 (empty address: no credentials).
std::optional<principal> unix_peer_of_zap_address(std::string_view address);

} // namespace holobroker::security
