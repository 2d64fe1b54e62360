#pragma once

// A fresh, uniquely named directory under the system temp dir (or
// $TMPDIR), removed with everything in it on destruction. Integration tests
// use it for IPC socket files so parallel test runs never collide.

#include <filesystem>
#include <string>

namespace holobroker::test {

class temp_dir {
public:
  /// Creates `<tmp>/<prefix>-XXXXXX`; throws std::runtime_error on failure.
  explicit temp_dir(const std::string& prefix = "holobroker-test");
  ~temp_dir();

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  std::string string() const { return path_.string(); }

private:
  std::filesystem::path path_;
};

} // namespace holobroker::test
