#pragma once

// Tells systemd (Type=notify) what the daemon is doing: READY=1 once the
// front end is listening, RELOADING=1 around SIGHUP reloads, STOPPING=1 on
// drain, STATUS=… for `systemctl status`. A no-op outside systemd.

#include <string_view>

namespace holobroker::daemon {

class service_notifier {
public:
  service_notifier();

  /// Whether a NOTIFY_SOCKET was given (i.e. we run under systemd).
  bool active() const noexcept { return active_; }

  void ready(std::string_view status);
  void reloading(std::string_view status);
  void stopping(std::string_view status);
  void status(std::string_view status);

private:
  void send(std::string_view state, std::string_view status);
  bool active_;
};

} // namespace holobroker::daemon
