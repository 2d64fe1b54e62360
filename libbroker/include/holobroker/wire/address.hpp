#pragma once

#include <string>
#include <string_view>

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

/// `tcp://host:port` -> `tcp://host:(port+1)`; empty if `address` is not TCP
/// with a numeric port.
std::string tcp_event_address(std::string_view request_address);

/// `inproc://<server id>` and `inproc://<server id>/event-publisher`.
std::string inproc_request_address(std::string_view server_id);
std::string inproc_event_address(std::string_view server_id);

} // namespace holobroker::wire
