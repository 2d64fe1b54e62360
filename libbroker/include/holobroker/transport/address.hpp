#pragma once

#include <string>
#include <string_view>

#include "holobroker/expected.hpp"

namespace holobroker::transport {

/// Where a server's request ROUTER and event PUB sockets are.
struct server_endpoints {
  std::string request_address;
  std::string event_address;
};

/// Resolves what a user names a server by:
///   "IPC"            -> hololinked's paths from the server id under `temp_dir`
///                       (default: wire::default_temp_dir(), i.e. ~/.hololinked)
///   "ipc://PATH"     -> PATH; events at PATH with ".ipc" -> ".event-publisher.ipc"
///   "tcp://HOST:PORT"-> events at PORT + 1
///   "INPROC"         -> inproc://<server id> and inproc://<server id>/event-publisher
///   "inproc://NAME"  -> events at inproc://NAME/event-publisher
/// An error names what is wrong with `spec`.
expected<server_endpoints, std::string>
resolve_endpoints(std::string_view spec, std::string_view server_id,
                  std::string_view temp_dir = {});

} // namespace holobroker::transport
