#include "support/temp_dir.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <stdlib.h>

namespace holobroker::test {

temp_dir::temp_dir(const std::string& prefix) {
  auto pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr)
    throw std::runtime_error("cannot create temporary directory " + pattern + ": "
                             + std::strerror(errno));
  path_ = buf.data();
}

temp_dir::~temp_dir() {
  std::error_code ec; // never throw from a destructor; leftovers are harmless
  std::filesystem::remove_all(path_, ec);
}

} // namespace holobroker::test
