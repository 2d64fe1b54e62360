#include "broker_fixture.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace holobroker::test {

using namespace holobroker::client;

client::client_actor spawn_fake_connection(caf::actor_system& sys,
                                           std::shared_ptr<connection_script> s) {
  // Spawned with an argument: CAF 0.17 binds a null tuple reference (UBSan)
  // when a function-based actor gets none.
  auto fun = [](client::client_actor::pointer self,
                std::shared_ptr<connection_script> s) -> client::client_actor::behavior_type {
    return {
      [self, s](execute_atom, operation_request& req) -> caf::result<operation_reply> {
        s->calls.push_back({false, req});
        s->seen.push_back(req);
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
        if (req.objekt == "echo") {
          rep.payload = req.payload;
          rep.preserialized = req.preserialized;
          rep.payload_content_type = req.payload_content_type;
          rep.preencoded_payload_content_type = req.preencoded_payload_content_type;
          return rep;
        }
        rep.message_id = "upstream-id";
        rep.payload = wire::shared_bytes::copy_of("42");
        rep.payload_content_type = "application/json";
        rep.preencoded_payload_content_type = "text/plain";
        return rep;
      },
      [](send_request_atom, operation_request&) -> caf::result<std::string> {
        return make_error(client_errc::bad_request, "not in the fake");
      },
      [s](receive_response_atom, std::string& what) -> caf::result<operation_reply> {
        // The test's way to answer a held request from inside the actor:
        // "release:N" replies `1` to the N-th held request.
        if (what.rfind("release:", 0) == 0) {
          auto n = std::stoul(what.substr(8));
          operation_reply rep;
          rep.payload = wire::shared_bytes::copy_of("1");
          s->held.at(n).deliver(rep);
        }
        return make_error(client_errc::unknown_message, "fake");
      },
      [s](oneway_atom, operation_request& req) -> caf::result<std::string> {
        s->calls.push_back({true, req});
        s->oneway.push_back(req);
        return std::string{"sent"};
      },
      [](handshake_atom) { return caf::timespan{0}; },
      [](ping_atom) { return caf::timespan{0}; },
      [s](get_atom, status_atom) { return s->status; },
      [](put_atom, const std::string&, const client::thing_policy&) {},
      [](delete_atom, const std::string&) {},
    };
  };
  return sys.spawn(fun, std::move(s));
}

client::thing_directory fake_directory(const client::client_actor& connection,
                                       const std::vector<std::string>& thing_ids) {
  client::thing_directory::map_type routes;
  for (const auto& id : thing_ids)
    routes.emplace(id, client::thing_route{id, connection, "sim", "sim|holobroker|test"});
  return client::thing_directory{1, std::move(routes)};
}

broker::fleet_actor spawn_fake_fleet(caf::actor_system& sys, std::shared_ptr<fleet_script> s,
                                     client::client_actor connection,
                                     std::vector<std::string> thing_ids) {
  auto fun = [](broker::fleet_actor::pointer, std::shared_ptr<fleet_script> s,
                client::client_actor connection,
                std::vector<std::string> ids) -> broker::fleet_actor::behavior_type {
    return {
      // The fake never changes: the front end keeps its spawn snapshot.
      [](watch_atom) {},
      [connection, ids](get_atom, watch_atom) { return fake_directory(connection, ids); },
      [s](get_atom, things_atom) { return s->things; },
      [](get_atom, broker::peers_atom) { return std::vector<broker::peer_info>{}; },
      [](broker::reload_atom, const config::broker_config&) { return std::string{}; },
      [](get_atom, broker::reload_atom) { return std::uint64_t{0}; },
      [](caf::close_atom) {},
    };
  };
  return sys.spawn(fun, std::move(s), std::move(connection), std::move(thing_ids));
}

events::event_subscriber_actor spawn_fake_subscriber(caf::actor_system& sys,
                                                     std::shared_ptr<subscriber_script> s) {
  auto fun = [](events::event_subscriber_actor::pointer self, std::shared_ptr<subscriber_script> s)
    -> events::event_subscriber_actor::behavior_type {
      return {
        [self, s](subscribe_atom, const std::string& thing, const std::string& event,
                  events::event_sink_actor) -> caf::result<void> {
          s->calls.push_back("+" + thing + "/" + event);
          if (!s->hold_acks)
            return caf::unit;
          s->held.push_back(self->make_response_promise());
          return s->held.back();
        },
        [s](unsubscribe_atom, const std::string& thing, const std::string& event,
            events::event_sink_actor) {
          // The test's way to answer the held subscription N from inside
          // this actor (thing "release-held", event "N"): a promise must be
          // delivered in its maker's context; delivered from elsewhere it
          // enqueues with the maker's stale execution unit (ASan: a call
          // through a dangling test-coordinator worker).
          if (thing == release_held_thing) {
            s->held.at(std::stoul(event)).deliver(caf::unit);
            return;
          }
          s->calls.push_back("-" + thing + "/" + event);
        },
        [](get_atom, last_atom, const std::string&,
           const std::string&) -> caf::result<wire::event> {
          return make_error(client_errc::unknown_message, "none");
        },
      };
  };
  return sys.spawn(fun, std::move(s));
}

} // namespace holobroker::test
