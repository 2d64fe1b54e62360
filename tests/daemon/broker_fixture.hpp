#pragma once

// Deterministic fixture for the broker's actors: CAF's test coordinator,
// fake bound sockets (support/fake_sockets.hpp), and fake
// connection/fleet/event-subscriber actors whose behaviour the tests script.

#include <deque>
#include <map>
#include <memory>
#include <vector>

#include <caf/test/dsl.hpp>
#include <nlohmann/json.hpp>

#include "holobroker/broker/event_fanin_actor.hpp"
#include "holobroker/broker/fleet_actor.hpp"
#include "holobroker/broker/frontend_actor.hpp"
#include "holobroker/broker/listener.hpp"
#include "holobroker/broker/type_ids.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "support/fake_sockets.hpp"

namespace holobroker::test {

struct broker_test_config : caf::actor_system_config {
  broker_test_config() { broker::add_message_types(*this); }
};

/// Requests the fake connection saw, in arrival order, and the ones it
/// holds unanswered.
struct connection_script {
  struct call {
    bool oneway = false;
    client::operation_request request;
  };
  std::vector<call> calls;
  std::vector<client::operation_request> seen;   ///< execute only
  std::vector<client::operation_request> oneway; ///< oneway only
  std::vector<caf::typed_response_promise<client::operation_reply>> held;
  /// What (get_atom, status_atom) answers.
  client::client_status status;
};

/// A fake Thing connection (client actor). Answers by objekt: "hang" is held
/// (send it (receive_response_atom, "release:N") to answer the N-th held one
/// with `1`), "boom" raises ValueError, "late" is a server TIMEOUT
/// "execution", "lost" is the broker's deadline, "gone" is a disconnect,
/// "echo" replies with the request's payload frames and content types;
/// anything else replies `42`.
client::client_actor spawn_fake_connection(caf::actor_system& sys,
                                           std::shared_ptr<connection_script> s);

/// What the fake fleet reports.
struct fleet_script {
  std::vector<broker::thing_info> things;
};

/// A fake fleet whose directory maps each of `thing_ids` to `connection`.
broker::fleet_actor spawn_fake_fleet(caf::actor_system& sys, std::shared_ptr<fleet_script> s,
                                     client::client_actor connection,
                                     std::vector<std::string> thing_ids);

/// The directory the fake fleet publishes.
client::thing_directory fake_directory(const client::client_actor& connection,
                                       const std::vector<std::string>& thing_ids);

/// Subscriptions a fake event subscriber saw: "+thing/event" / "-thing/event".
/// With `hold_acks`, subscriptions are answered only when the test says so
/// (`held`), as a real subscriber answers once its ZMQ subscription is set.
struct subscriber_script {
  std::vector<std::string> calls;
  bool hold_acks = false;
  std::vector<caf::response_promise> held;
};

/// Sent as (unsubscribe_atom, release_held_thing, "N", sink), makes the
/// fake subscriber answer its held subscription N (see subscriber_script).
inline constexpr const char* release_held_thing = "release-held";

events::event_subscriber_actor spawn_fake_subscriber(caf::actor_system& sys,
                                                     std::shared_ptr<subscriber_script> s);

/// A request as the front end sees it: frame 0 = the client's identity.
inline wire::multipart from_client(const std::string& client_id, const wire::request& req) {
  auto frames = wire::craft_request("holobroker", req);
  frames[0] = wire::shared_bytes::copy_of(client_id);
  return frames;
}

/// A request of `client` to the broker "holobroker" for `thing`.
inline wire::request op(const std::string& client, const std::string& thing,
                        const std::string& objekt,
                        std::string_view operation = wire::op::read_property) {
  return wire::make_operation(client, "holobroker", thing, objekt, operation);
}

/// A oneway writeproperty of `objekt` (value 1) from `client`.
inline wire::request oneway_write(const std::string& client, const std::string& thing,
                                  const std::string& objekt) {
  auto ctx = wire::default_operation_context();
  ctx.oneway = true;
  return wire::make_operation(client, "holobroker", thing, objekt, wire::op::write_property,
                              wire::shared_bytes::copy_of("1"), ctx);
}

struct broker_fixture : test_coordinator_fixture<broker_test_config> {
  std::shared_ptr<fake_wire_state> front = std::make_shared<fake_wire_state>();
  std::shared_ptr<fake_wire_state> pub = std::make_shared<fake_wire_state>();
  std::shared_ptr<fake_xpub_state> xpub = std::make_shared<fake_xpub_state>();
  std::shared_ptr<connection_script> router_calls = std::make_shared<connection_script>();
  std::shared_ptr<fleet_script> fleet_calls = std::make_shared<fleet_script>();
  /// Serves every Thing of the fake fleet ("nope" is not in it).
  client::client_actor connection = spawn_fake_connection(sys, router_calls);
  std::vector<std::string> fleet_things{"spectrometer", "motor"};

  void release(std::size_t n) {
    caf::anon_send(connection, client::receive_response_atom_v, "release:" + std::to_string(n));
    sched.run();
  }

  /// Delivers a message from a hololinked client to the front end.
  void client_sends(wire::multipart frames) {
    front->inbound.push_back(std::move(frames));
    front->wake();
    sched.run();
  }

  /// A subscriber's (un)subscription at the XPUB; `from` numbers the
  /// subscriber (-1: libzmq's unsubscriptions for one that went away).
  void subscriber_sends(std::string_view topic, bool subscribe, int from = 0) {
    xpub->inbound_from.push_back(from);
    pub->inbound.push_back({wire::shared_bytes::copy_of(wire::subscription_message(topic, subscribe))});
    pub->wake();
    sched.run();
  }

  /// The lanes section of the front end's status document, as a client
  /// "ops" asking the broker's `status` action gets it.
  nlohmann::json lanes_status() {
    auto before = front->sent.size();
    client_sends(from_client("ops", op("ops", "holobroker", "status", wire::op::invoke_action)));
    CAF_REQUIRE_EQUAL(front->sent.size(), before + 1);
    return nlohmann::json::parse(sent_response(before).payload.view())["broker"]["lanes"];
  }

  /// The i-th message the front end sent, parsed in the client's view.
  wire::response sent_response(std::size_t i) {
    CAF_REQUIRE(i < front->sent.size());
    auto frames = front->sent[i];
    frames[0] = wire::shared_bytes::copy_of("holobroker"); // client view: server id
    auto res = wire::parse_response(frames);
    CAF_REQUIRE(res.has_value());
    return *res;
  }
};

} // namespace holobroker::test
