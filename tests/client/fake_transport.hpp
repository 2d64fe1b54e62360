#pragma once

// An in-memory transport for deterministic actor tests: records what the
// actor sends, lets the test queue what it receives and link events, and
// exposes the wake callbacks so the test decides when the actor is woken.

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "holobroker/transport/transport.hpp"
#include "holobroker/wire/message_type.hpp"
#include "holobroker/wire/request.hpp"

namespace holobroker::test {

/// Everything the test sees and controls of one fake socket.
struct fake_wire {
  std::string client_id;
  std::string address;
  std::vector<wire::multipart> sent;
  std::deque<wire::multipart> inbox;
  transport::send_result next_result = transport::send_result::sent;
  transport::wake_callback wake;
  // Socket monitor.
  bool monitor_supported = true;
  std::deque<transport::link_event> link_events;
  transport::wake_callback monitor_wake;
  // SUB side.
  std::vector<std::string> subscriptions;
  bool open = false;

  /// The request at `index` of `sent`, parsed.
  wire::request sent_request(std::size_t index) const;

  /// Queues a response to sent[index] of `type` with `payload` (JSON text).
  void answer(std::size_t index, wire::message_type type, std::string payload = "null");

  /// Queues a link event.
  void link(transport::link_event_kind kind);
};

class fake_transport_factory : public transport::transport_factory {
public:
  std::shared_ptr<fake_wire> wire = std::make_shared<fake_wire>();
  bool refuse = false; ///< open_request fails

  expected<std::unique_ptr<transport::request_transport>, std::string>
  open_request(const std::string& client_id, const std::string& address) override;

  expected<std::unique_ptr<transport::event_transport>, std::string>
  open_events(const std::string& address) override;
};

} // namespace holobroker::test
