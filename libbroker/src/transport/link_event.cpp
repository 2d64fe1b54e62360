#include "holobroker/transport/link_event.hpp"

namespace holobroker::transport {

std::string_view to_string(link_event_kind kind) noexcept {
  switch (kind) {
    case link_event_kind::connected: return "connected";
    case link_event_kind::disconnected: return "disconnected";
    case link_event_kind::retried: return "retried";
    case link_event_kind::ready: return "ready";
    case link_event_kind::other: return "other";
  }
  return "other";
}

} // namespace holobroker::transport
