#include "holobroker/security/curve_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <zmq.h>

namespace holobroker::security {

namespace {

bool valid_z85_key(const std::string& k) {
  if (k.size() != 40)
    return false;
  std::uint8_t raw[32];
  return zmq_z85_decode(raw, k.c_str()) != nullptr;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

expected<bool, std::string> write_file(const std::string& path, const std::string& text,
                                       mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return unexpected<std::string>{fmt::format("{}: cannot create: {}", path,
                                               std::strerror(errno))};
  auto n = ::write(fd, text.data(), text.size());
  ::fchmod(fd, mode); // the umask must not widen or narrow what was asked
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    return unexpected<std::string>{path + ": short write"};
  return true;
}

} // namespace

expected<curve_keypair, std::string> generate_keypair() {
  char pub[41] = {};
  char sec[41] = {};
  if (zmq_curve_keypair(pub, sec) != 0)
    return unexpected<std::string>{std::string{"zmq_curve_keypair: "}
                                   + zmq_strerror(zmq_errno())};
  return curve_keypair{pub, sec};
}

expected<curve_keypair, std::string> read_key_file(const std::string& path, bool need_secret) {
  std::ifstream in{path};
  if (!in)
    return unexpected<std::string>{fmt::format("{}: cannot read: {}", path,
                                               std::strerror(errno))};
  curve_keypair keys;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    line = trim(line);
    if (line.empty() || line[0] == '#')
      continue;
    auto colon = line.find(':');
    auto key = colon == std::string::npos ? line : trim(line.substr(0, colon));
    auto value = colon == std::string::npos ? std::string{} : trim(line.substr(colon + 1));
    std::string* slot = key == "public-key" ? &keys.public_key
                        : key == "secret-key" ? &keys.secret_key
                                              : nullptr;
    if (!slot)
      return unexpected<std::string>{fmt::format(
        "{}:{}: expected \"public-key: Z85\" or \"secret-key: Z85\"", path, n)};
    if (!valid_z85_key(value))
      return unexpected<std::string>{
        fmt::format("{}:{}: {} is not a 40-character Z85 CURVE key", path, n, key)};
    *slot = value;
  }
  if (keys.public_key.empty())
    return unexpected<std::string>{path + ": has no public-key"};
  if (need_secret && keys.secret_key.empty())
    return unexpected<std::string>{path + ": has no secret-key (a key pair file is needed, "
                                          "not a .pub file)"};
  if (need_secret) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 0077) != 0)
      return unexpected<std::string>{fmt::format(
        "{}: the secret key is readable by others (mode {:04o}); chmod 600 it", path,
        st.st_mode & 07777)};
  }
  return keys;
}

expected<std::pair<std::string, std::string>, std::string>
write_key_files(const std::string& dir, const std::string& name, const curve_keypair& keys) {
  if (name.empty() || name.find_first_of("/:") != std::string::npos || name[0] == '.')
    return unexpected<std::string>{"\"" + name + "\" is not a key name (no /, : or leading .)"};
  auto base = (std::filesystem::path{dir} / name).string();
  auto key_path = base + ".key";
  auto pub_path = base + ".pub";
  auto pair = fmt::format("# holobroker CURVE key pair \"{}\": keep it secret\n"
                          "public-key: {}\nsecret-key: {}\n",
                          name, keys.public_key, keys.secret_key);
  auto pub = fmt::format("# holobroker CURVE public key \"{}\"\npublic-key: {}\n", name,
                         keys.public_key);
  if (auto ok = write_file(key_path, pair, 0600); !ok)
    return unexpected<std::string>{ok.error()};
  if (auto ok = write_file(pub_path, pub, 0644); !ok)
    return unexpected<std::string>{ok.error()};
  return std::pair{key_path, pub_path};
}

expected<std::map<std::string, std::string>, std::string>
read_client_keys(const std::string& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  std::filesystem::directory_iterator it{dir, ec};
  if (ec)
    return unexpected<std::string>{fmt::format("{}: cannot list: {}", dir, ec.message())};
  for (const auto& entry : it) {
    auto path = entry.path();
    if (path.extension() != ".pub")
      continue;
    auto keys = read_key_file(path.string(), false);
    if (!keys)
      return unexpected<std::string>{keys.error()};
    auto name = path.stem().string();
    auto [pos, fresh] = out.emplace(keys->public_key, name);
    if (!fresh)
      return unexpected<std::string>{
        fmt::format("{}: the same public key as {}.pub", path.string(), pos->second)};
  }
  return out;
}

std::string z85_of_raw(const void* data, std::size_t size) {
  if (size != 32)
    return {};
  char out[41] = {};
  if (zmq_z85_encode(out, static_cast<const std::uint8_t*>(data), 32) == nullptr)
    return {};
  return out;
}

} // namespace holobroker::security
