#pragma once

// From the configuration's `security` and `limits` sections to what the
// broker's pieces need: the ZAP handler's settings, the front end's socket
// options (reads the CURVE server key) and the check of the IPC socket
// directory at start.

#include <string>

#include "holobroker/broker/listener.hpp"
#include "holobroker/config/broker_config.hpp"
#include "holobroker/expected.hpp"
#include "holobroker/security/zap_handler.hpp"

namespace holobroker::broker {

/// Reads security.curve.client_keys; errors name the file.
expected<security::zap_settings, std::string> zap_settings_of(const config::broker_config& cfg);

/// Where the event publisher speaks CURVE: security.curve.event_tcp, or
/// the port above security.curve.tcp's; empty without CURVE.
std::string curve_event_address_of(const config::security_config& sec);

/// Reads security.curve.server_key and resolves security.ipc.group.
expected<frontend_options, std::string> frontend_options_of(const config::broker_config& cfg);

/// The directory of the IPC socket files must belong to this process's user
/// (or root) and must not be writable by others unless sticky: whoever owns
/// it can replace the socket file with their own and see every request.
expected<bool, std::string> check_socket_directory(const std::string& dir);

} // namespace holobroker::broker
