#pragma once

// The broker's bound sockets behind an interface, the counterpart of
// transport/transport.hpp (which only connects): the front end's ROUTER that
// hololinked clients connect to, and the XPUB that republishes the fleet's
// events. Same ownership rules: one actor owns each socket and does all I/O
// from its own context; `watch` only tells it when to drain. A fake
// implementation drives the actors under CAF's test coordinator.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "holobroker/expected.hpp"
#include "holobroker/transport/transport.hpp"
#include "holobroker/wire/frames.hpp"

namespace holobroker::broker {

/// A bound ROUTER with routing id = broker id. Frame 0 of every message is
/// the peer's transport identity (and must be, when sending).
class frontend_socket {
public:
  virtual ~frontend_socket() = default;
  virtual transport::send_result send(const wire::multipart& frames) = 0;
  virtual std::optional<wire::multipart> receive() = 0;
  virtual void watch(transport::wake_callback wake) = 0;
};

/// A bound XPUB. receive() yields subscription messages (`\x01topic` /
/// `\x00topic`), one per subscriber and topic (XPUB_VERBOSER), so that the
/// owner can count subscribers per exact topic.
class publisher_socket {
public:
  virtual ~publisher_socket() = default;
  virtual void send(const wire::multipart& frames) = 0;
  virtual std::optional<wire::multipart> receive() = 0;
  virtual void watch(transport::wake_callback wake) = 0;
};

/// A bound socket and the endpoints it actually listens on (TCP port 0
/// resolved to the port the kernel chose).
template <class Socket>
struct bound {
  std::unique_ptr<Socket> socket;
  std::vector<std::string> endpoints;
};

class listener_factory {
public:
  virtual ~listener_factory() = default;
  /// Binds a ROUTER at every address. IPC addresses whose socket file is
  /// live (another process accepts on it) fail with "address in use by
  /// another process"; stale files are removed first.
  virtual expected<bound<frontend_socket>, std::string>
  open_frontend(const std::string& routing_id, const std::vector<std::string>& addresses) = 0;
  virtual expected<bound<publisher_socket>, std::string>
  open_publisher(const std::vector<std::string>& addresses) = 0;
};

} // namespace holobroker::broker
