#include "support/golden.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/base64.hpp"

namespace holobroker::test {

std::filesystem::path golden_dir() {
  if (const char* env = std::getenv("HOLOBROKER_GOLDEN_DIR"); env && *env)
    return env;
  return HOLOBROKER_GOLDEN_DIR;
}

golden_capture load_golden(const std::string& file) {
  auto path = golden_dir() / file;
  std::ifstream in{path};
  if (!in)
    throw std::runtime_error("cannot open golden capture " + path.string());
  std::stringstream buf;
  buf << in.rdbuf();
  golden_capture cap;
  cap.file = file;
  cap.raw = nlohmann::json::parse(buf.str());
  cap.description = cap.raw.value("description", "");
  cap.transport = cap.raw.value("transport", "");
  for (const auto& m : cap.raw.value("messages", nlohmann::json::array())) {
    golden_message msg;
    msg.dir = m.value("direction", "") == "client->server" ? direction::client_to_server
                                                             : direction::server_to_client;
    for (const auto& f : m.value("frames_base64", nlohmann::json::array())) {
      auto bytes = base64_decode(f.get<std::string>());
      if (!bytes)
        throw std::runtime_error("bad base64 in " + file);
      msg.frames.push_back(wire::shared_bytes::from_string(std::move(*bytes)));
    }
    msg.header_parsed = m.value("header_parsed", nlohmann::json{});
    if (auto it = m.find("server_application_view_frame0");
        it != m.end() && it->is_string())
      msg.server_view_frame0 = it->get<std::string>();
    msg.t_ms = m.value("t_ms_since_first", 0.0);
    cap.messages.push_back(std::move(msg));
  }
  return cap;
}

std::vector<golden_capture> load_all_golden() {
  auto dir = golden_dir();
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("golden captures not found at " + dir.string()
                             + " (set HOLOBROKER_GOLDEN_DIR)");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator{dir})
    if (entry.path().extension() == ".json")
      files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  std::vector<golden_capture> result;
  for (const auto& f : files)
    result.push_back(load_golden(f));
  return result;
}

} // namespace holobroker::test
