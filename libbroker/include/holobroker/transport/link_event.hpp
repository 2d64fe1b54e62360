#pragma once

#include <string>
#include <string_view>

namespace holobroker::transport {

/// What the socket monitor reports about the link to the server.
enum class link_event_kind {
  connected,     ///< TCP/IPC connection established
  disconnected,  ///< the peer went away (libzmq reconnects by itself)
  retried,       ///< a reconnect attempt is scheduled
  ready,         ///< ZMTP handshake done: messages can be routed now
  other,         ///< anything else (closed, delayed, ...): informational
};

std::string_view to_string(link_event_kind kind) noexcept;

struct link_event {
  link_event_kind kind = link_event_kind::other;
  std::string endpoint;
};

} // namespace holobroker::transport
