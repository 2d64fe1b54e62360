#include "direct_access.hpp"

#include <algorithm>
#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/client/error.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/events/event_subscriber.hpp"

namespace holobroker::cli {

namespace {

events::event_sink_actor::behavior_type queueing_sink(events::event_sink_actor::pointer,
                                                      std::shared_ptr<event_queue> q) {
  return {[q](client::event_atom, const wire::event& ev) { q->push(ev); }};
}

} // namespace

direct_access::direct_access(caf::actor_system& sys, client::client_config cfg,
                             std::string event_address,
                             std::shared_ptr<transport::transport_factory> transports,
                             std::shared_ptr<event_queue> events, bool probe)
  : sys_(sys),
    server_id_(cfg.server_id),
    event_address_(std::move(event_address)),
    transports_(transports),
    events_(std::move(events)),
    probe_(probe),
    client_(sys, std::move(cfg), std::move(transports)) {}

expected<client::operation_reply, caf::error>
direct_access::execute(client::operation_request req) {
  return client_.execute(std::move(req));
}

caf::error direct_access::subscribe(const std::string& thing, const std::string& event,
                                    const std::function<bool(const wire::event&)>& on_event,
                                    std::optional<caf::timespan> timeout) {
  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> deadline;
  if (timeout)
    deadline = clock::now() + *timeout;
  // PUB/SUB has no handshake: prove the server is there (and is the server
  // we mean) on its request socket first.
  if (auto hs = client_.wait_connected(); !hs)
    return hs.error();
  events::event_subscriber_config scfg{server_id_, event_address_};
  scfg.probe = probe_;
  if (timeout)
    scfg.probe_timeout = std::min(scfg.probe_timeout, *timeout);
  auto subscriber = events::spawn_event_subscriber(sys_, scfg, transports_);
  auto sink = sys_.spawn(queueing_sink, events_);
  caf::error result;
  {
    caf::scoped_actor self{sys_};
    self->request(subscriber, caf::infinite, client::subscribe_atom_v, thing, event, sink)
      .receive([] {}, [&](caf::error& err) { result = std::move(err); });
  }
  // Through the broker the probe has confirmed it: every event published
  // from now on is delivered.
  if (!result)
    spdlog::info("subscribed to {}{}", wire::event_topic(thing, event),
                 probe_ ? " (confirmed by the broker)" : "");
  while (!result) {
    auto item = events_->pop(deadline);
    if (auto ev = std::get_if<wire::event>(&item)) {
      if (!on_event(*ev))
        break;
    } else if (std::holds_alternative<event_queue::timed_out>(item)) {
      result = client::make_error(client::client_errc::timeout,
                                  "subscription to " + wire::event_topic(thing, event)
                                    + " on server '" + server_id_
                                    + "' ended by the client deadline");
    } else {
      break; // stopped by a signal
    }
  }
  caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  return result;
}

} // namespace holobroker::cli
