#include "connection_retirement.hpp"

#include <memory>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/broker/atoms.hpp"
#include "holobroker/client/type_ids.hpp"

namespace holobroker::broker {

void retire_connection(caf::actor_system& sys, client::client_actor client, caf::timespan limit,
                       caf::timespan check_every) {
  auto fun = [](caf::event_based_actor* self, client::client_actor c, caf::timespan limit,
                caf::timespan every) -> caf::behavior {
    auto give_up_at = self->clock().now() + limit;
    auto close = [self, c](const char* why) {
      spdlog::debug("fleet: closing a retired connection ({})", why);
      self->send_exit(c, caf::exit_reason::user_shutdown);
      self->quit();
    };
    // Requests sent before the front end took the new directory may still
    // be on their way (CAF orders messages per sender, and the front end is
    // not this watcher): idle counts only when it was idle at two checks
    // `every` apart without a request sent in between, the first check
    // one period after the retirement began.
    auto sent_at_last_idle = std::make_shared<std::optional<std::uint64_t>>();
    self->delayed_send(self, every, drain_atom_v);
    return {
      [=](drain_atom) {
        self->request(c, std::chrono::seconds{1}, get_atom_v, status_atom_v)
          .then(
            [=](const client::client_status& cs) {
              bool idle = cs.in_flight == 0 && cs.waiting_to_send == 0;
              if (idle && *sent_at_last_idle == cs.requests_sent)
                close("idle");
              else if (self->clock().now() >= give_up_at)
                close("deadline passed");
              else {
                *sent_at_last_idle = idle ? std::optional<std::uint64_t>{cs.requests_sent}
                                          : std::nullopt;
                self->delayed_send(self, every, drain_atom_v);
              }
            },
            [=](const caf::error&) { close("no status"); });
      },
    };
  };
  sys.spawn(fun, std::move(client), limit, check_every);
}

} // namespace holobroker::broker
