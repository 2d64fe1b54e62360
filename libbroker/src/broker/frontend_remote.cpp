// Requests for a peer broker's Thing sent straight to the peer's client
// actor through CAF's middleman (thing_route::remote), skipping the local
// peer actor's relay: one actor hop less each way (docs/BENCHMARKS.md).
//
// What the relay did for these requests the front end does itself, without
// a CAF timer per request: CAF 0.17's clock is a thread of its own, and
// setting and cancelling a request timeout wakes it twice per request,
// which showed in the through-peer p50 on 2 cores. Instead each request
// across is entered here by the id of its response, with its deadline
// (the route's remote_bound); one timer is set for the earliest deadline.
// A request ends in one of three ways, each through its CAF response
// handler (frontend_lanes.cpp), which forgets it here:
//   - its answer comes;
//   - its deadline passes: the timer hands the handler CAF's own
//     `request_timeout`, as a request timeout would (TIMEOUT, naming the
//     peer, in the log);
//   - the peer's client actor goes away: CAF kills the proxies of a node
//     whose connection dropped, the front end monitors every peer client
//     actor it sent to, and the down message hands each of its requests
//     `request_receiver_down` (an error naming the peer). A request sent to
//     a proxy already dead bounces with the same error.
// A late answer after that finds no handler and is dropped by CAF, so every
// request ends once and no handler is left behind.

#include <chrono>
#include <vector>

#include <caf/mailbox_element.hpp>
#include <caf/sec.hpp>
#include <fmt/format.h>

#include "broker/frontend_impl.hpp"
#include "holobroker/federation/federation.hpp"

namespace holobroker::broker::frontend {

namespace {

/// Ends the request `rid` with `err`, as if its response carried it.
void end_with(self_ptr self, caf::message_id rid, caf::sec err) {
  self->enqueue(caf::make_mailbox_element(nullptr, rid, {}, caf::make_error(err)),
                self->context());
}

void arm(self_ptr self, caf::actor_clock::time_point at) {
  auto& t = self->state.across;
  if (t.timer_armed && t.timer_at <= at)
    return; // the timer set fires early enough; when nothing is due it re-arms
  t.timer_armed = true;
  t.timer_at = at;
  auto now = self->clock().now();
  self->delayed_send(self, at > now ? caf::timespan{at - now} : caf::timespan{0},
                     client::deadline_atom_v);
}

} // namespace

bool across_to_peer(const client::thing_route& route) {
  // Without a bound a frozen peer would hold the request for good: such a
  // route goes through the peer actor, which bounds it.
  return route.remote && route.remote_bound > caf::timespan{0};
}

caf::error across_failure(const std::string& origin, const caf::error& err,
                          caf::timespan bound) {
  if (origin.empty())
    return err;
  // Built only here, on a failure: nothing is formatted per request.
  auto peer = fmt::format("peer broker '{}'", origin);
  if (err == caf::sec::request_timeout) // a TIMEOUT reply carries no text
    spdlog::warn("front end: no answer from {} within {}s", peer,
                 std::chrono::duration<double>(bound).count());
  return federation::hop_error(peer, err, bound);
}

void sent_across(self_ptr self, caf::message_id rid, const client::client_actor& to,
                 caf::timespan bound) {
  auto& t = self->state.across;
  auto deadline = self->clock().now() + bound;
  t.requests.insert_or_assign(rid.integer_value(), across_table::entry{to.address(), deadline});
  if (t.monitored.insert(to.address()).second)
    self->monitor(to);
  arm(self, deadline);
}

void settled_across(self_ptr self, caf::message_id rid) {
  self->state.across.requests.erase(rid.integer_value());
}

void expire_across(self_ptr self) {
  auto& t = self->state.across;
  t.timer_armed = false;
  auto now = self->clock().now();
  std::vector<std::uint64_t> due;
  std::optional<caf::actor_clock::time_point> next;
  for (const auto& [rid, e] : t.requests) {
    if (e.deadline <= now)
      due.push_back(rid);
    else if (!next || e.deadline < *next)
      next = e.deadline;
  }
  for (auto rid : due) {
    t.requests.erase(rid);
    end_with(self, caf::message_id{rid}, caf::sec::request_timeout);
  }
  if (next)
    arm(self, *next);
}

void lost_across(self_ptr self, const caf::down_msg& dm) {
  auto& t = self->state.across;
  if (t.monitored.erase(dm.source) == 0)
    return;
  std::vector<std::uint64_t> lost;
  for (const auto& [rid, e] : t.requests)
    if (e.to == dm.source)
      lost.push_back(rid);
  if (!lost.empty())
    spdlog::warn("front end: a peer broker's client actor went away with {} requests in flight "
                 "to it ({})",
                 lost.size(), self->system().render(dm.reason));
  for (auto rid : lost) {
    t.requests.erase(rid);
    end_with(self, caf::message_id{rid}, caf::sec::request_receiver_down);
  }
}

} // namespace holobroker::broker::frontend
