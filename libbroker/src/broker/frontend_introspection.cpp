// The broker's own actions, answered when a request's thingID is the
// broker's id (introspection.hpp documents the payloads), and the status
// document they share with broker_node::status().

#include "broker/frontend_impl.hpp"
#include "holobroker/broker/introspection.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/wire/requests.hpp"

namespace holobroker::broker::frontend {

namespace {

using nlohmann::json;

constexpr auto introspection_timeout = std::chrono::seconds{5};

} // namespace

void collect_status(self_ptr self, std::size_t own, status_done done, status_failed failed) {
  auto& st = self->state;
  // Things, reloads, peers, events: one after the other (each answer is
  // needed in the document; the chain stays bounded by one timeout each).
  auto with_events = [self, own, done, failed](std::vector<thing_info> things,
                                               std::uint64_t reloads,
                                               std::vector<peer_info> peers) {
    self->request(self->state.fanin, introspection_timeout, get_atom_v, topics_atom_v)
      .then(
        [self, own, done, things, reloads, peers](const fanin_summary& events) {
          auto& st = self->state;
          auto now = clock_type::now();
          broker_summary b;
          b.id = st.cfg.broker_id;
          b.uptime_s = std::chrono::duration<double>(now - st.started).count();
          b.draining = st.drain.active;
          b.in_flight = st.in_flight.size() >= own ? st.in_flight.size() - own : 0;
          b.handshakes = st.stats.handshakes;
          b.dropped = st.stats.dropped;
          b.invalid = st.stats.invalid;
          b.unknown_thing = st.stats.unknown_thing;
          b.things_counted = st.stats.things().size();
          b.clients = st.stats.clients(now);
          b.reloads = reloads;
          auto doc = status_payload(b, things, st.stats.things(), events, peers);
          doc["broker"]["security"] = st.guard.to_json();
          doc["broker"]["lanes"] = {{"quick_sent", st.lanes.quick_sent},
                                    {"held", st.lanes.held_total},
                                    {"refused", st.lanes.refused},
                                    {"pairs", st.lanes.pairs.size()}};
          done(std::move(doc));
        },
        failed);
  };
  self->request(st.fleet, introspection_timeout, get_atom_v, things_atom_v)
    .then(
      [self, failed, with_events](const std::vector<thing_info>& things) {
        self->request(self->state.fleet, introspection_timeout, get_atom_v, reload_atom_v)
          .then(
            [self, failed, with_events, things](std::uint64_t reloads) {
              self->request(self->state.fleet, introspection_timeout, get_atom_v, peers_atom_v)
                .then(
                  [with_events, things, reloads](const std::vector<peer_info>& peers) {
                    with_events(things, reloads, peers);
                  },
                  failed);
            },
            failed);
      },
      failed);
}

void introspect(self_ptr self, const wire::request& req) {
  auto id = track(self, req, false);
  const auto& action = req.header.objekt;
  if (req.header.operation != wire::op::invoke_action) {
    complete(self, id,
             broker_exception(self, id, "NotImplementedError",
                              "holobroker supports only invokeaction on itself, not "
                                + req.header.operation),
             request_outcome::error);
    return;
  }
  if (action == "ping") {
    complete(self, id, json_reply(self, id, nullptr), request_outcome::reply);
  } else if (action == "things") {
    self->request(self->state.fleet, introspection_timeout, get_atom_v, things_atom_v)
      .then(
        [self, id](const std::vector<thing_info>& things) {
          complete(self, id, json_reply(self, id, things_payload(things)),
                   request_outcome::reply);
        },
        [self, id](const caf::error& err) {
          complete(self, id, failure(self, id, err), request_outcome::error);
        });
  } else if (action == "status") {
    collect_status(
      self, 1, // not counting this request
      [self, id](json doc) {
        complete(self, id, json_reply(self, id, doc), request_outcome::reply);
      },
      [self, id](const caf::error& err) {
        complete(self, id, failure(self, id, err), request_outcome::error);
      });
  } else if (action == "last_event") {
    auto args = parse_last_event_kwargs(req.payload.view());
    if (!args) {
      complete(self, id, broker_exception(self, id, "TypeError", args.error()),
               request_outcome::error);
      return;
    }
    self
      ->request(self->state.fanin, introspection_timeout, get_atom_v, last_atom_v,
                args->first, args->second)
      .then(
        [self, id](const wire::event& ev) {
          complete(self, id, json_reply(self, id, last_event_payload(ev)),
                   request_outcome::reply);
        },
        [self, id](const caf::error& err) {
          complete(self, id, broker_exception(self, id, "KeyError", client::describe(err)),
                   request_outcome::error);
        });
  } else {
    complete(self, id,
             broker_exception(self, id, "KeyError",
                              "'" + action + "': holobroker's actions are ping, things, "
                                             "status and last_event"),
             request_outcome::error);
  }
}

} // namespace holobroker::broker::frontend
