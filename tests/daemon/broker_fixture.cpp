#include "broker_fixture.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace holobroker::test {

using namespace holobroker::client;

client::router_actor spawn_fake_router(caf::actor_system& sys, std::shared_ptr<router_script> s) {
  // Spawned with an argument: CAF 0.17 binds a null tuple reference (UBSan)
  // when a function-based actor gets none.
  auto fun = [](client::router_actor::pointer self,
                std::shared_ptr<router_script> s) -> client::router_actor::behavior_type {
    return {
      [self, s](execute_atom, operation_request& req) -> caf::result<operation_reply> {
        s->seen.push_back(req);
        if (req.thing_id == "nope")
          return make_error(client_errc::unknown_thing, "no Thing nope");
        if (req.objekt == "hang") {
          auto rp = self->make_response_promise<operation_reply>();
          s->held.push_back(rp);
          return rp;
        }
        if (req.objekt == "boom") {
          wire::remote_exception ex{"bad value", "ValueError", {"Traceback ...", "ValueError"},
                                    std::nullopt};
          return make_error(client_errc::remote_exception, "Thing raised", ex);
        }
        if (req.objekt == "late")
          return caf::error{static_cast<uint8_t>(client_errc::server_timeout), error_category,
                            caf::make_message(std::string{"server timeout"},
                                              std::string{"execution"})};
        if (req.objekt == "lost")
          return make_error(client_errc::timeout, "deadline passed");
        if (req.objekt == "gone")
          return make_error(client_errc::disconnected, "server disconnected");
        operation_reply rep;
        rep.message_id = "upstream-id";
        rep.payload = wire::shared_bytes::copy_of("42");
        rep.payload_content_type = "application/json";
        rep.preencoded_payload_content_type = "text/plain";
        return rep;
      },
      [](execute_atom, all_atom, operation_request&) { return std::vector<thing_outcome>{}; },
      [](ping_atom, all_atom) { return std::vector<ping_outcome>{}; },
      [](add_atom, client_config&, std::vector<std::string>&) -> caf::result<client_actor> {
        return make_error(client_errc::bad_request, "not in the fake");
      },
      [](add_atom, std::string&, client_actor&) {},
      [s](delete_atom, std::string& what) {
        // The test's way to answer a held request from inside the actor:
        // "release:N" replies `1` to the N-th held request.
        if (what.rfind("release:", 0) == 0) {
          auto n = std::stoul(what.substr(8));
          operation_reply rep;
          rep.payload = wire::shared_bytes::copy_of("1");
          s->held.at(n).deliver(rep);
        }
      },
      [](get_atom, things_atom) { return std::vector<std::string>{}; },
    };
  };
  return sys.spawn(fun, std::move(s));
}

broker::fleet_actor spawn_fake_fleet(caf::actor_system& sys, std::shared_ptr<fleet_script> s) {
  auto fun = [](broker::fleet_actor::pointer,
                std::shared_ptr<fleet_script> s) -> broker::fleet_actor::behavior_type {
    return {
      [s](oneway_atom, operation_request& req) -> caf::result<std::string> {
        s->oneway.push_back(req);
        return std::string{"sent"};
      },
      [s](get_atom, things_atom) { return s->things_json; },
      [](broker::reload_atom, const config::broker_config&) { return std::string{}; },
      [](get_atom, broker::reload_atom) { return std::uint64_t{0}; },
      [](caf::close_atom) {},
    };
  };
  return sys.spawn(fun, std::move(s));
}

events::event_subscriber_actor spawn_fake_subscriber(caf::actor_system& sys,
                                                     std::shared_ptr<subscriber_script> s) {
  auto fun = [](events::event_subscriber_actor::pointer, std::shared_ptr<subscriber_script> s)
    -> events::event_subscriber_actor::behavior_type {
      return {
        [s](subscribe_atom, const std::string& thing, const std::string& event,
            events::event_sink_actor) { s->calls.push_back("+" + thing + "/" + event); },
        [s](unsubscribe_atom, const std::string& thing, const std::string& event,
            events::event_sink_actor) { s->calls.push_back("-" + thing + "/" + event); },
        [](get_atom, last_atom, const std::string&,
           const std::string&) -> caf::result<wire::event> {
          return make_error(client_errc::unknown_message, "none");
        },
      };
  };
  return sys.spawn(fun, std::move(s));
}

} // namespace holobroker::test
