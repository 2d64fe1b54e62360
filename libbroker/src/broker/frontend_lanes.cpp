// Sending requests to their Thing's client actor on the pair's lane
// (frontend_lanes.hpp says why and what keeps their order).

#include <spdlog/spdlog.h>

#include "broker/frontend_impl.hpp"
#include "holobroker/client/error.hpp"

namespace holobroker::broker::frontend {

namespace {

void lane_done(self_ptr self, const std::string& key);

template <caf::message_priority Priority>
void send_as(self_ptr self, const std::string& key, lane_request r) {
  if (r.id == 0) {
    self->request<Priority>(r.to, caf::infinite, client::oneway_atom_v, std::move(r.op))
      .then([self, key](const std::string&) { lane_done(self, key); },
            [self, key, message_id = std::move(r.message_id),
             who = std::move(r.who)](const caf::error& err) {
              spdlog::warn("front end: oneway request {} from {} not delivered: {}", message_id,
                           who, client::describe(err));
              lane_done(self, key);
            });
    return;
  }
  auto id = r.id;
  // The client core bounds every request by its deadline, so no timeout here.
  self->request<Priority>(r.to, caf::infinite, client::execute_atom_v, std::move(r.op))
    .then(
      [self, key, id](const client::operation_reply& rep) {
        lane_done(self, key);
        answered(self, id, rep);
      },
      [self, key, id](const caf::error& err) {
        lane_done(self, key);
        failed(self, id, err);
      });
}

void send_on(self_ptr self, const std::string& key, pair_lane& pair, lane_request r) {
  ++pair.outstanding;
  if (pair.quick) {
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

void send_to_thing(self_ptr self, const wire::request& req, const client::client_actor& to,
                   std::uint64_t id, bool client_idle) {
  auto& lanes = self->state.lanes;
  auto key = lane_table::key(req.routing_id, req.header.thing_id);
  auto& pair = lanes.pairs[key];
  if (pair.outstanding == 0 && pair.held.empty())
    pair.quick = client_idle;
  lane_request r{id, to_operation(req), to, req.header.message_id, {}};
  if (id == 0)
    r.who = printable(req.routing_id);
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
