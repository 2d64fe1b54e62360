// Sending requests to their Thing's client actor on the pair's lane
// (frontend_lanes.hpp says why and what keeps their order).

#include <spdlog/spdlog.h>

#include "broker/frontend_impl.hpp"
#include "holobroker/client/error.hpp"

namespace holobroker::broker::frontend {

namespace {

void lane_done(self_ptr self, const std::string& key);

/// Asks `r.to` for `r`. A request across to a peer broker (r.bound > 0) is
/// entered in the front end's table of those (frontend_remote.cpp), which
/// ends it at its bound or when the peer goes away; a local client core
/// bounds every request by its deadline, so no bound here.
template <caf::message_priority Priority>
void send_as(self_ptr self, const std::string& key, lane_request r) {
  bool across = r.bound > caf::timespan{0};
  if (r.id == 0) {
    auto h = self->request<Priority>(r.to, caf::infinite, client::oneway_atom_v, std::move(r.op));
    auto rid = h.id();
    if (across)
      sent_across(self, rid, r.to, r.bound);
    h.then(
      [self, key, rid](const std::string&) {
        settled_across(self, rid);
        lane_done(self, key);
      },
      [self, key, rid, message_id = std::move(r.message_id), who = std::move(r.who),
       origin = std::move(r.origin), bound = r.bound](const caf::error& err) {
        settled_across(self, rid);
        spdlog::warn("front end: oneway request {} from {} not delivered: {}", message_id, who,
                     client::describe(across_failure(origin, err, bound)));
        lane_done(self, key);
      });
    return;
  }
  auto id = r.id;
  auto h = self->request<Priority>(r.to, caf::infinite, client::execute_atom_v, std::move(r.op));
  auto rid = h.id();
  if (across)
    sent_across(self, rid, r.to, r.bound);
  h.then(
    [self, key, id, rid](const client::operation_reply& rep) {
      settled_across(self, rid);
      lane_done(self, key);
      answered(self, id, rep);
    },
    [self, key, id, rid, origin = std::move(r.origin), bound = r.bound](const caf::error& err) {
      settled_across(self, rid);
      lane_done(self, key);
      failed(self, id, across_failure(origin, err, bound));
    });
}

void send_on(self_ptr self, const std::string& key, pair_lane& pair, lane_request r) {
  ++pair.outstanding;
  if (pair.quick && r.bound == caf::timespan{0}) { // never high across (frontend_lanes.hpp)
    ++self->state.lanes.quick_sent;
    send_as<caf::message_priority::high>(self, key, std::move(r));
  } else {
    send_as<caf::message_priority::normal>(self, key, std::move(r));
  }
}

/// A request of the pair `key` was answered (or acknowledged): when the
/// quick ones are all done, what was held goes on the normal lane.
void lane_done(self_ptr self, const std::string& key) {
  auto& pairs = self->state.lanes.pairs;
  auto i = pairs.find(key);
  if (i == pairs.end())
    return;
  auto& pair = i->second;
  if (--pair.outstanding > 0)
    return;
  if (pair.held.empty()) {
    pairs.erase(i);
    return;
  }
  pair.quick = false;
  auto held = std::move(pair.held);
  pair.held.clear();
  for (auto& r : held) {
    // Ended meanwhile (the drain failed it): it must not reach the Thing.
    if (r.id != 0 && self->state.in_flight.count(r.id) == 0)
      continue;
    send_on(self, key, pair, std::move(r));
  }
  if (pair.outstanding == 0)
    pairs.erase(key);
}

/// A request beyond max_held: refused like one beyond the client's bound.
void refuse_held(self_ptr self, const wire::request& req, std::uint64_t id) {
  ++self->state.lanes.refused;
  if (id == 0) {
    client_log(self, spdlog::level::warn,
               "front end: oneway request {} from {} for {} dropped: {} requests of this "
               "client wait for its earlier ones to {}",
               req.header.message_id, printable(req.routing_id), req.header.thing_id, max_held,
               req.header.thing_id);
    return;
  }
  complete(self, id,
           broker_exception(self, id, "BlockingIOError",
                            fmt::format("holobroker: {} requests of this client already wait "
                                        "for its earlier ones to Thing '{}'; wait for replies "
                                        "first",
                                        max_held, req.header.thing_id)),
           request_outcome::error);
}

} // namespace

void send_to_thing(self_ptr self, const wire::request& req, const client::thing_route& route,
                   std::uint64_t id, bool client_idle) {
  auto& lanes = self->state.lanes;
  auto key = lane_table::key(req.routing_id, req.header.thing_id);
  auto& pair = lanes.pairs[key];
  bool across = across_to_peer(route);
  if (pair.outstanding == 0 && pair.held.empty())
    pair.quick = client_idle && !across;
  lane_request r;
  r.id = id;
  r.op = to_operation(req);
  r.to = across ? route.remote : route.client;
  r.message_id = req.header.message_id;
  if (id == 0)
    r.who = printable(req.routing_id);
  if (across) {
    r.bound = route.remote_bound;
    r.origin = route.origin;
  }
  if (!pair.held.empty() || (pair.quick && pair.outstanding >= quick_depth)) {
    if (pair.held.size() >= max_held) {
      refuse_held(self, req, id);
      return;
    }
    ++lanes.held_total;
    pair.held.push_back(std::move(r));
    return;
  }
  send_on(self, key, pair, std::move(r));
}

} // namespace holobroker::broker::frontend
