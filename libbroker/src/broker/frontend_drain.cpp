// Shutting the front end down without losing a request: new requests are
// refused, those in flight get the grace period, the rest then fail with a
// clear EXCEPTION (each exactly once), the socket closes and the drain is
// answered with both counts.

#include <spdlog/spdlog.h>

#include "broker/frontend_impl.hpp"
#include "holobroker/broker/error_reply.hpp"

namespace holobroker::broker::frontend {

caf::typed_response_promise<std::uint64_t, std::uint64_t> begin_drain(self_ptr self,
                                                                      caf::timespan grace) {
  auto& st = self->state;
  auto rp = self->make_response_promise<std::uint64_t, std::uint64_t>();
  if (st.drain.active) {
    rp.deliver(std::uint64_t{0}, std::uint64_t{0});
    return rp;
  }
  st.drain.active = true;
  st.drain.grace = grace;
  st.drain.rp = rp;
  spdlog::info("front end: draining {} requests in flight (grace {}s)", st.in_flight.size(),
               std::chrono::duration<double>(grace).count());
  if (st.in_flight.empty())
    finish_drain(self);
  else
    self->delayed_send(self, grace, drain_atom_v, close_atom_v);
  return rp;
}

void finish_drain(self_ptr self) {
  auto& st = self->state;
  if (st.drain.done)
    return;
  st.drain.done = true;
  auto grace = std::chrono::duration<double>(st.drain.grace).count();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, p] : st.in_flight)
    ids.push_back(id);
  for (auto id : ids) {
    auto res = broker_exception(self, id, "ConnectionAbortedError",
                                fmt::format("holobroker shut down before the Thing answered "
                                            "(drain grace period of {}s exceeded)",
                                            grace));
    auto& p = st.in_flight.at(id);
    st.guard.ended(p.identity, p.audit, request_outcome::error);
    if (p.counted)
      st.stats.of(p.header.thing_id).finished(request_outcome::error, clock_type::now() - p.start);
    send_response(self, p.identity, std::move(res));
    st.in_flight.erase(id);
    ++st.drain.failed;
  }
  st.socket.reset(); // unbinds; the IPC socket files go with it
  spdlog::info("front end: drained ({} completed, {} failed at the end of the grace period)",
               st.drain.completed, st.drain.failed);
  st.drain.rp.deliver(st.drain.completed, st.drain.failed);
}

bool refused_by_drain(self_ptr self, const wire::request& req) {
  auto& st = self->state;
  if (!st.drain.active)
    return false;
  if (!req.header.server_context.oneway)
    send_response(self, req.routing_id,
                  exception_reply(wire::message_type::exception, req.header, st.cfg.broker_id,
                                  make_exception("ConnectionRefusedError",
                                                 "holobroker is shutting down and accepts "
                                                 "no new requests")));
  return true;
}

} // namespace holobroker::broker::frontend
