#pragma once

// Direct mode: the CLI is itself a hololinked client of one server.

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "event_queue.hpp"
#include "holobroker/client/blocking_client.hpp"
#include "thing_access.hpp"

namespace holobroker::cli {

class direct_access : public thing_access {
public:
  /// `events` receives the stop request of the signal thread. `probe`:
  /// the server is a holobroker, which confirms subscriptions (see
  /// events::event_subscriber_config::probe).
  direct_access(caf::actor_system& sys, client::client_config cfg, std::string event_address,
                std::shared_ptr<transport::transport_factory> transports,
                std::shared_ptr<event_queue> events, bool probe = false);

  expected<client::operation_reply, caf::error> execute(client::operation_request req) override;

  caf::error subscribe(const std::string& thing, const std::string& event,
                       const std::function<bool(const wire::event&)>& on_event,
                       std::optional<caf::timespan> timeout) override;

private:
  caf::actor_system& sys_;
  std::string server_id_;
  std::string event_address_;
  std::shared_ptr<transport::transport_factory> transports_;
  std::shared_ptr<event_queue> events_;
  bool probe_ = false;
  client::blocking_client client_;
};

} // namespace holobroker::cli
