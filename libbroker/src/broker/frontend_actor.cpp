// The front end's behaviour: which of its jobs (frontend_impl.hpp) handles
// which message.

#include "holobroker/broker/frontend_actor.hpp"

#include <caf/actor_system.hpp>
#include <spdlog/spdlog.h>

#include "broker/frontend_impl.hpp"

namespace holobroker::broker {

namespace {

using namespace frontend;

frontend_impl::behavior_type frontend_fn(self_ptr self, frontend_config cfg,
                                         std::shared_ptr<frontend_socket> socket,
                                         fleet_actor fleet, fanin_actor fanin,
                                         client::thing_directory directory) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.stats = frontend_stats{st.cfg.latency_samples};
  st.guard = frontend_guard{st.cfg.policy, st.cfg.max_in_flight_per_client,
                            client_rate_limit{double(st.cfg.max_requests_per_second_per_client),
                                              double(st.cfg.request_burst_per_client)}};
  st.socket = std::move(socket);
  st.directory = followed_directory{fleet, std::move(directory)};
  st.fleet = std::move(fleet);
  st.fanin = std::move(fanin);
  self->send(st.directory.source(), client::watch_atom_v);
  // Only peer brokers' client actors are monitored (frontend_remote.cpp).
  self->set_down_handler([self](const caf::down_msg& dm) { lost_across(self, dm); });
  // Reading is urgent: a client's request must not wait in the mailbox
  // behind other clients' pending answers (frontend_lanes.hpp); CAF's
  // mailbox still gives the normal messages a share of every round, and
  // each wake-up reads at most read_batch messages.
  st.socket->watch(st.wake.callback_for(caf::actor_cast<caf::weak_actor_ptr>(self),
                                        caf::message_priority::high));
  return {
    [self](put_atom, client::thing_directory& next) {
      // Only the followed source's, never older than the spawn snapshot.
      self->state.directory.accept(self->current_sender(), next);
    },
    [self](readable_atom) {
      self->state.wake.clear(); // before reading: later wake-ups send anew
      read_socket(self);
    },
    [self](drain_atom, caf::timespan grace) { return begin_drain(self, grace); },
    [self](drain_atom, close_atom) { finish_drain(self); },
    [self](client::deadline_atom) { expire_across(self); },
    [self](get_atom, status_atom) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      collect_status(
        self, 0, [rp](nlohmann::json doc) mutable { rp.deliver(doc.dump()); },
        [rp](const caf::error& err) mutable { rp.deliver(err); });
      return rp;
    },
  };
}

} // namespace

frontend_actor spawn_frontend(caf::actor_system& sys, frontend_config cfg,
                              std::shared_ptr<frontend_socket> socket, fleet_actor fleet,
                              fanin_actor fanin, client::thing_directory directory) {
  return sys.spawn(frontend_fn, std::move(cfg), std::move(socket), std::move(fleet),
                   std::move(fanin), std::move(directory));
}

} // namespace holobroker::broker
