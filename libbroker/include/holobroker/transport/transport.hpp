#pragma once

// The seam between actors and sockets. Actors own transports and do all I/O
// on them from their own context; a transport only tells its owner *when* to
// look (the `wake` callback, called from the reactor thread). ZeroMQ lives
// behind this interface so that actor logic is tested deterministically with
// a fake transport under CAF's test coordinator.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "holobroker/expected.hpp"
#include "holobroker/transport/link_event.hpp"
#include "holobroker/wire/frames.hpp"

namespace holobroker::transport {

/// Called from another thread when the owner should drain (may be spurious).
using wake_callback = std::function<void()>;

enum class send_result {
  sent,
  would_block, ///< high-water mark reached: nothing sent
  unroutable,  ///< no connected peer with that routing id: nothing sent
};

/// Watches a ROUTER's connection (the libzmq socket monitor).
class link_monitor {
public:
  virtual ~link_monitor() = default;
  /// The next pending event without blocking.
  virtual std::optional<link_event> next() = 0;
  virtual void watch(wake_callback wake) = 0;
};

/// A ROUTER socket connected to one server, routing id = client id.
/// Edge semantics: after every wake and every send, the owner calls
/// receive() until it returns nullopt.
class request_transport {
public:
  virtual ~request_transport() = default;
  /// frames[0] is the server id (routing id of the peer).
  virtual send_result send(const wire::multipart& frames) = 0;
  virtual std::optional<wire::multipart> receive() = 0;
  virtual void watch(wake_callback wake) = 0;
  /// A monitor of this socket (call once, from the owner); nullptr if unsupported.
  virtual std::unique_ptr<link_monitor> open_monitor() = 0;
};

/// A SUB socket connected to one event publisher.
class event_transport {
public:
  virtual ~event_transport() = default;
  virtual void subscribe(std::string_view topic) = 0;
  virtual void unsubscribe(std::string_view topic) = 0;
  virtual std::optional<wire::multipart> receive() = 0;
  virtual void watch(wake_callback wake) = 0;
};

class transport_factory {
public:
  virtual ~transport_factory() = default;
  virtual expected<std::unique_ptr<request_transport>, std::string>
  open_request(const std::string& client_id, const std::string& address) = 0;
  virtual expected<std::unique_ptr<event_transport>, std::string>
  open_events(const std::string& address) = 0;
};

} // namespace holobroker::transport
