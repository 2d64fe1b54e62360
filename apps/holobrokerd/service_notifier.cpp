#include "service_notifier.hpp"

#include <cstdlib>
#include <string>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace holobroker::daemon {

service_notifier::service_notifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  active_ = socket != nullptr && *socket != '\0';
}

void service_notifier::send(std::string_view state, std::string_view status) {
  if (!active_)
    return;
  std::string msg{state};
  if (!status.empty()) {
    if (!msg.empty())
      msg += '\n';
    msg += "STATUS=";
    msg += status;
  }
  if (int rc = sd_notify(0, msg.c_str()); rc < 0)
    spdlog::warn("sd_notify failed: {}", rc);
}

void service_notifier::ready(std::string_view status) {
  send("READY=1", status);
}

void service_notifier::reloading(std::string_view status) {
  send("RELOADING=1", status);
}

void service_notifier::stopping(std::string_view status) {
  send("STOPPING=1", status);
}

void service_notifier::status(std::string_view status) {
  send("", status);
}

} // namespace holobroker::daemon
