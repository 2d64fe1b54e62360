#include "payload_argument.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace holobroker::cli {

namespace {

/// The stream's content without trailing whitespace: a file's final newline
/// is not part of the JSON and would be sent (and echoed) otherwise.
std::string read_all(std::istream& in) {
  std::ostringstream buffer;
  buffer << in.rdbuf();
  auto text = buffer.str();
  auto end = text.find_last_not_of(" \t\r\n");
  text.erase(end == std::string::npos ? 0 : end + 1);
  return text;
}

} // namespace

expected<std::string, std::string> read_payload_argument(const std::string& arg,
                                                         std::istream& stdin_stream) {
  if (arg == "-" || arg == "@-") {
    auto text = read_all(stdin_stream);
    if (stdin_stream.bad())
      return unexpected<std::string>{"cannot read the payload from standard input"};
    return text;
  }
  if (arg.empty() || arg[0] != '@')
    return arg;
  auto path = arg.substr(1);
  if (path.empty())
    return unexpected<std::string>{"'@' names no file (use @FILE, or - for standard input)"};
  std::ifstream file{path, std::ios::binary};
  if (!file)
    return unexpected<std::string>{"cannot read the payload file " + path + ": "
                                   + std::strerror(errno)};
  auto text = read_all(file);
  if (file.bad())
    return unexpected<std::string>{"cannot read the payload file " + path + ": "
                                   + std::strerror(errno)};
  return text;
}

} // namespace holobroker::cli
