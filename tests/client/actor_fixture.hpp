#pragma once

// Deterministic fixture for client-core actors: CAF's test coordinator, the
// client core's message types, a fake transport, and `ask` to capture a
// typed reply (or error) from an actor.

#include <memory>
#include <optional>

#include <caf/test/dsl.hpp>

#include "support/fake_sockets.hpp"
#include "holobroker/client/client.hpp"

namespace holobroker::test {

struct client_test_config : caf::actor_system_config {
  client_test_config() { client::add_message_types(*this); }
};

/// The eventual answer of one request.
template <class T>
struct answer {
  std::optional<T> value;
  std::optional<caf::error> error;
  bool done() const { return value || error; }
};

struct client_fixture : test_coordinator_fixture<client_test_config> {
  std::shared_ptr<fake_transport_factory> factory = std::make_shared<fake_transport_factory>();

  fake_wire& wire() { return *factory->wire; }

  /// Sends `xs...` to `hdl` as a request from a helper actor; the answer
  /// appears after sched.run().
  template <class T, class Handle, class... Ts>
  std::shared_ptr<answer<T>> ask(const Handle& hdl, Ts... xs) {
    // `out` is a spawn argument, not only a capture: CAF 0.17 dereferences a
    // null argument tuple for argument-less function actors (UBSan).
    auto result = std::make_shared<answer<T>>();
    sys.spawn(
      [=](caf::event_based_actor* self, std::shared_ptr<answer<T>> out) {
        self->request(hdl, caf::infinite, xs...)
          .then([=](T& x) { out->value = std::move(x); },
                [=](caf::error& err) { out->error = std::move(err); });
      },
      result);
    return result;
  }

  /// Wakes the actor that watches the fake socket, then runs it.
  void wake() {
    if (wire().wake)
      wire().wake();
    sched.run();
  }

  void wake_monitor() {
    if (wire().monitor_wake)
      wire().monitor_wake();
    sched.run();
  }

  void advance(caf::timespan t) {
    advance_time(t);
    sched.run();
  }

  client::client_config config() {
    client::client_config cfg;
    cfg.client_id = "test-client";
    cfg.server_id = "test-server";
    cfg.address = "ipc:///tmp/nowhere.ipc";
    return cfg;
  }

  /// Spawns a client and completes its handshake.
  client::client_actor connected_client(client::client_config cfg) {
    auto c = client::spawn_client(sys, std::move(cfg), factory);
    sched.run();
    auto n = wire().sent.size();
    CAF_REQUIRE(n >= 1);
    wire().answer(n - 1, wire::message_type::handshake);
    wake();
    wire().sent.clear();
    return c;
  }
  client::client_actor connected_client() { return connected_client(config()); }

  client::client_status status(const client::client_actor& c) {
    auto st = ask<client::client_status>(c, client::get_atom_v, client::status_atom_v);
    sched.run();
    CAF_REQUIRE(st->value);
    return *st->value;
  }
};

inline std::optional<client::client_errc> code_of(const std::optional<caf::error>& err) {
  if (!err)
    return std::nullopt;
  return client::client_errc_of(*err);
}

} // namespace holobroker::test
