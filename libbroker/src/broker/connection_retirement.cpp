#include "connection_retirement.hpp"
#include "quiet_period.hpp"

#include <memory>

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
    // The first check one period after the retirement began (quiet_period.hpp).
    auto quiet = std::make_shared<quiet_period>();
    self->delayed_send(self, every, drain_atom_v);
    return {
      [=](drain_atom) {
        self->request(c, std::chrono::seconds{1}, get_atom_v, status_atom_v)
          .then(
            [=](const client::client_status& cs) {
              bool idle = cs.in_flight == 0 && cs.waiting_to_send == 0;
              if (quiet->check(idle, cs.requests_sent))
                close("idle");
              else if (self->clock().now() >= give_up_at)
                close("deadline passed");
              else
                self->delayed_send(self, every, drain_atom_v);
            },
            [=](const caf::error&) { close("no status"); });
      },
    };
  };
  sys.spawn(fun, std::move(client), limit, check_every);
}

} // namespace holobroker::broker
