#include "holobroker/client/blocking_client.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "holobroker/client/type_ids.hpp"
#include "holobroker/wire/requests.hpp"

namespace holobroker::client {

namespace {

/// One blocking request; the client actor always answers (at the latest at
/// the request's deadline), so no timeout is needed here.
template <class T, class... Ts>
expected<T, caf::error> ask(caf::actor_system& sys, const client_actor& hdl, Ts&&... xs) {
  caf::scoped_actor self{sys};
  std::optional<expected<T, caf::error>> out;
  self->request(hdl, caf::infinite, std::forward<Ts>(xs)...)
    .receive([&](T& x) { out.emplace(std::move(x)); },
             [&](caf::error& err) { out.emplace(unexpected<caf::error>{std::move(err)}); });
  return std::move(*out);
}

} // namespace

blocking_client::blocking_client(caf::actor_system& sys, client_config cfg,
                                 std::shared_ptr<transport::transport_factory> transports)
  : sys_(sys), client_(spawn_client(sys, std::move(cfg), std::move(transports))) {}

blocking_client::~blocking_client() {
  caf::anon_send_exit(client_, caf::exit_reason::user_shutdown);
}

blocking_client::result<caf::timespan> blocking_client::wait_connected() {
  return ask<caf::timespan>(sys_, client_, handshake_atom_v);
}

blocking_client::result<operation_reply> blocking_client::execute(operation_request req) {
  return ask<operation_reply>(sys_, client_, execute_atom_v, std::move(req));
}

blocking_client::result<operation_reply>
blocking_client::read_property(std::string thing_id, std::string name, request_options options) {
  auto req = client::read_property(std::move(thing_id), std::move(name));
  req.options = std::move(options);
  return execute(std::move(req));
}

blocking_client::result<operation_reply>
blocking_client::write_property(std::string thing_id, std::string name, std::string value_json,
                                request_options options) {
  auto req = client::write_property(std::move(thing_id), std::move(name),
                                    wire::shared_bytes::from_string(std::move(value_json)));
  req.options = std::move(options);
  return execute(std::move(req));
}

blocking_client::result<operation_reply>
blocking_client::invoke_action(std::string thing_id, std::string name, std::string kwargs_json,
                               request_options options) {
  auto req = client::invoke_action(std::move(thing_id), std::move(name),
                                   wire::shared_bytes::from_string(std::move(kwargs_json)));
  req.options = std::move(options);
  return execute(std::move(req));
}

blocking_client::result<std::string> blocking_client::oneway(operation_request req) {
  return ask<std::string>(sys_, client_, oneway_atom_v, std::move(req));
}

blocking_client::result<client_status> blocking_client::status() {
  return ask<client_status>(sys_, client_, get_atom_v, status_atom_v);
}

} // namespace holobroker::client
