#pragma once

#include <optional>
#include <string>

#include "holobroker/client/client_status.hpp"

namespace holobroker::broker {

/// One Thing of the fleet as the fleet sees it (the `things` introspection).
struct thing_info {
  std::string id;
  std::string server_id;
  std::string address; ///< resolved (IPC -> ipc://...)
  std::string event_address;
  std::string client_id;
  /// The connection's status; empty when it did not answer in time.
  std::optional<client::client_status> connection;
};

} // namespace holobroker::broker
