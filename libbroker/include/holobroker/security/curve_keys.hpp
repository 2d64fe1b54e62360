#pragma once

// CURVE key files. A key pair file (`NAME.key`, mode 0600) and a public key
// file (`NAME.pub`) are text, Z85 keys of 40 characters:
//   # holobroker CURVE key pair "alice"
//   public-key: rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7
//   secret-key: JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6
// The broker authorizes the clients whose public key files are in its
// `security.curve.client_keys` directory, under the file's name (without
// `.pub`) as principal name: a policy rule `principal: {key: alice}`.

#include <map>
#include <string>

#include "holobroker/expected.hpp"

namespace holobroker::security {

struct curve_keypair {
  std::string public_key; ///< Z85, 40 characters
  std::string secret_key; ///< Z85, 40 characters; empty in a public key file
};

/// A new key pair from libzmq (zmq_curve_keypair).
expected<curve_keypair, std::string> generate_keypair();

/// Reads `path`; `need_secret` fails files without a secret key. Errors
/// name the file and what is wrong.
expected<curve_keypair, std::string> read_key_file(const std::string& path, bool need_secret);

/// Writes DIR/NAME.key (0600) and DIR/NAME.pub; refuses to overwrite.
/// Answers the two paths.
expected<std::pair<std::string, std::string>, std::string>
write_key_files(const std::string& dir, const std::string& name, const curve_keypair& keys);

/// Every `*.pub` in `dir`: public key (Z85) -> principal name. A bad file
/// fails the whole directory (a key silently missing would lock out).
expected<std::map<std::string, std::string>, std::string>
read_client_keys(const std::string& dir);

/// The 32 raw bytes of a Z85 key as ZAP hands them -> Z85; empty if not 32 bytes.
std::string z85_of_raw(const void* data, std::size_t size);

} // namespace holobroker::security
