#include "holobroker/broker/ipc_endpoint.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace holobroker::broker {

namespace {

constexpr std::string_view ipc_scheme = "ipc://";

enum class probe_result { absent, stale, live, unknown };

// A connect() to a listening AF_UNIX socket succeeds at once (the kernel
// completes it from the backlog); ECONNREFUSED means a file without a listener.
probe_result probe(const std::string& path, std::string& detail) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec)))
    return probe_result::absent;
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    detail = "path too long for a unix socket";
    return probe_result::unknown;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    detail = std::strerror(errno);
    return probe_result::unknown;
  }
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  int err = errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN) // EAGAIN: listening, backlog full
    return probe_result::live;
  if (err == ECONNREFUSED || err == ENOENT)
    return probe_result::stale;
  detail = std::strerror(err);
  return probe_result::unknown;
}

} // namespace

std::string ipc_path_of(std::string_view address) {
  if (address.substr(0, ipc_scheme.size()) != ipc_scheme)
    return {};
  return std::string{address.substr(ipc_scheme.size())};
}

expected<bool, std::string> claim_ipc_endpoint(std::string_view address) {
  auto path = ipc_path_of(address);
  if (path.empty())
    return true;
  std::string detail;
  switch (probe(path, detail)) {
    case probe_result::live:
      return unexpected<std::string>{"address in use by another process: "
                                     + std::string{address}};
    case probe_result::stale: {
      std::error_code ec;
      std::filesystem::remove(path, ec);
      if (ec)
        return unexpected<std::string>{"cannot remove stale socket file " + path + ": "
                                       + ec.message()};
      break;
    }
    case probe_result::unknown:
      return unexpected<std::string>{"cannot check " + std::string{address} + ": " + detail};
    case probe_result::absent:
      break;
  }
  std::error_code ec;
  auto dir = std::filesystem::path{path}.parent_path();
  if (!dir.empty())
    std::filesystem::create_directories(dir, ec);
  if (ec)
    return unexpected<std::string>{"cannot create " + dir.string() + ": " + ec.message()};
  return true;
}

void release_ipc_endpoint(std::string_view address) {
  auto path = ipc_path_of(address);
  if (path.empty())
    return;
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

} // namespace holobroker::broker
