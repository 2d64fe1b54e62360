#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "holobroker/expected.hpp"

namespace holobroker::wire {

/// hololinked's TEMP_DIR default: `$HOME/.hololinked`.
std::string default_temp_dir();

/// The IPC socket file name for a server id: characters `< > : " / \ | ? *`
/// and control characters become `_`, runs of `_` collapse, leading and
/// trailing `_` are stripped (golden README §3).
std::string ipc_socket_name(std::string_view server_id);

/// `ipc://<temp_dir>/sockets/<name>.ipc`.
std::string ipc_request_address(std::string_view temp_dir, std::string_view server_id);

/// `ipc://<temp_dir>/sockets/<name>.event-publisher.ipc`.
std::string ipc_event_address(std::string_view temp_dir, std::string_view server_id);

/// `tcp://HOST:PORT` taken apart.
struct tcp_address {
  std::string_view host;
  unsigned port = 0;
};

/// `tcp://HOST:PORT` with a non-empty HOST and a decimal PORT of 0..65535
/// (0: a listener binds to any free port); nullopt otherwise.
std::optional<tcp_address> parse_tcp_address(std::string_view text);

/// What a server address written by a user names.
enum class address_kind {
  ipc,         ///< "IPC" / "ipc": hololinked's path from the server id
  ipc_path,    ///< "ipc://PATH"
  tcp,         ///< "tcp://HOST:PORT", PORT 1..65534 (the events are on PORT + 1)
  inproc,      ///< "INPROC" / "inproc": inproc://<server id>
  inproc_name, ///< "inproc://NAME"
};

/// The one address grammar, used by the transport to connect and by the
/// configuration to check what it will be given (so both accept the same
/// addresses). The error says what is wrong with `spec`, without quoting it.
expected<address_kind, std::string> parse_address(std::string_view spec);

/// `tcp://host:port` -> `tcp://host:(port+1)`; empty if `address` is not TCP
/// with a numeric port, or the port is 0 or 65535 (no port above it).
std::string tcp_event_address(std::string_view request_address);

/// `inproc://<server id>` and `inproc://<server id>/event-publisher`.
std::string inproc_request_address(std::string_view server_id);
std::string inproc_event_address(std::string_view server_id);

/// Where a server's request ROUTER and event PUB sockets are.
struct server_endpoints {
  std::string request_address;
  std::string event_address;
};

/// Resolves what a user names a server by:
///   "IPC"            -> hololinked's paths from the server id under `temp_dir`
///                       (default: default_temp_dir(), i.e. ~/.hololinked)
///   "ipc://PATH"     -> PATH; events at PATH with ".ipc" -> ".event-publisher.ipc"
///   "tcp://HOST:PORT"-> events at PORT + 1
///   "INPROC"         -> inproc://<server id> and inproc://<server id>/event-publisher
///   "inproc://NAME"  -> events at inproc://NAME/event-publisher
/// An error names what is wrong with `spec`.
expected<server_endpoints, std::string>
resolve_endpoints(std::string_view spec, std::string_view server_id,
                  std::string_view temp_dir = {});

} // namespace holobroker::wire
