#pragma once

// CAF type ids and inspection of every type the client core puts into
// messages, so that they can be printed, compared in tests and (later)
// cross the middleman. The wire codec stays CAF-free: its types get their
// `inspect` overloads here. Register with
//   cfg.add_message_types<caf::id_block::holobroker_client>();
// (or call holobroker::client::add_message_types(cfg)).
// Ids holobroker_client_first_type_id .. +49 are reserved for this block;
// other holobroker blocks start at caf::first_custom_type_id + 50.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include "holobroker/client/client_actor.hpp"
#include "holobroker/client/router_actor.hpp"
#include "holobroker/client/thing_directory.hpp"
#include "holobroker/events/event_subscriber.hpp"
#include "holobroker/transport/link_event.hpp"
#include "holobroker/wire/event.hpp"
#include "holobroker/wire/remote_exception.hpp"

namespace holobroker::wire {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shared_bytes& x) {
  // Serializing copies the bytes once; local messages never serialize.
  std::string bytes = x.to_string();
  return f(caf::meta::type_name("shared_bytes"), bytes, caf::meta::load_callback([&]() -> caf::error {
             x = shared_bytes::from_string(std::move(bytes));
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, server_execution_context& x) {
  // std::optional is not inspectable in CAF 0.17: negative = unset.
  double inv = x.invokation_timeout.value_or(-1.0);
  double exe = x.execution_timeout.value_or(-1.0);
  return f(caf::meta::type_name("server_execution_context"), inv, exe, x.oneway,
           caf::meta::load_callback([&]() -> caf::error {
             x.invokation_timeout = inv < 0 ? std::nullopt : std::optional<double>{inv};
             x.execution_timeout = exe < 0 ? std::nullopt : std::optional<double>{exe};
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, thing_execution_context& x) {
  return f(caf::meta::type_name("thing_execution_context"), x.fetch_execution_logs);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, remote_exception& x) {
  bool has_notes = x.notes.has_value();
  std::string notes = x.notes.value_or(std::string{});
  return f(caf::meta::type_name("remote_exception"), x.type, x.message, x.traceback, has_notes,
           notes, caf::meta::load_callback([&]() -> caf::error {
             x.notes = has_notes ? std::optional<std::string>{notes} : std::nullopt;
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_header& x) {
  return f(caf::meta::type_name("event_header"), x.message_id, x.sender_id, x.event_id,
           x.payload_content_type, x.preencoded_payload_content_type);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("event"), x.topic, x.header, x.payload, x.preserialized);
}

} // namespace holobroker::wire

namespace holobroker::transport {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, link_event& x) {
  auto kind = static_cast<uint8_t>(x.kind);
  return f(caf::meta::type_name("link_event"), kind, x.endpoint,
           caf::meta::load_callback([&]() -> caf::error {
             x.kind = static_cast<link_event_kind>(kind);
             return caf::none;
           }));
}

} // namespace holobroker::transport

namespace holobroker::client {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_options& x) {
  bool has_deadline = x.deadline.has_value();
  caf::timespan deadline = x.deadline.value_or(caf::timespan{0});
  return f(caf::meta::type_name("request_options"), x.server_context, x.thing_context,
           has_deadline, deadline, caf::meta::load_callback([&]() -> caf::error {
             x.deadline = has_deadline ? std::optional<caf::timespan>{deadline} : std::nullopt;
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, operation_request& x) {
  return f(caf::meta::type_name("operation_request"), x.thing_id, x.objekt, x.objekt_json,
           x.operation, x.payload, x.preserialized, x.payload_content_type,
           x.preencoded_payload_content_type, x.options);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, operation_reply& x) {
  return f(caf::meta::type_name("operation_reply"), x.message_id, x.payload, x.preserialized,
           x.payload_content_type, x.preencoded_payload_content_type);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, thing_policy& x) {
  return f(caf::meta::type_name("thing_policy"), x.retry_reads_after_reconnect,
           x.max_in_flight, x.own_deadlines, x.default_deadline, x.deadline_margin);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_config& x) {
  return f(caf::meta::type_name("client_config"), x.client_id, x.server_id, x.address,
           x.handshake_timeout, x.handshake_resend_after, x.handshake_retry_min,
           x.handshake_retry_max, x.ping_timeout, x.deadline_margin, x.default_deadline, x.max_in_flight,
           x.reply_cache_capacity, x.wait_for_reconnect, x.thing_policies,
           x.default_thing_policy);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_status& x) {
  return f(caf::meta::type_name("client_status"), x.client_id, x.server_id, x.address,
           x.handshake_done, x.connected, x.in_flight, x.waiting_to_send, x.cached_replies,
           x.requests_sent, x.replies_matched, x.replies_dropped, x.cache_evictions,
           x.deadline_expired, x.busy_rejected, x.disconnects, x.handshake_attempts);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, thing_outcome& x) {
  return f(caf::meta::type_name("thing_outcome"), x.thing_id, x.ok, x.reply, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ping_outcome& x) {
  return f(caf::meta::type_name("ping_outcome"), x.server_id, x.client_id, x.ok, x.round_trip,
           x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, thing_route& x) {
  return f(caf::meta::type_name("thing_route"), x.thing_id, x.client, x.server_id, x.client_id,
           x.origin, x.deadline, x.events, x.remote, x.remote_bound);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, thing_directory& x) {
  // Snapshots are shared and immutable: serialize a copy, rebuild on load.
  auto version = x.version();
  std::vector<thing_route> routes;
  for (const auto& [id, r] : x.routes())
    routes.push_back(r);
  return f(caf::meta::type_name("thing_directory"), version, routes,
           caf::meta::load_callback([&]() -> caf::error {
             thing_directory::map_type m;
             for (auto& r : routes) {
               auto id = r.thing_id;
               m.emplace(std::move(id), std::move(r));
             }
             x = thing_directory{version, std::move(m)};
             return caf::none;
           }));
}

} // namespace holobroker::client

CAF_BEGIN_TYPE_ID_BLOCK(holobroker_client, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::wire::remote_exception))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::wire::event))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::transport::link_event))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::operation_request))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::operation_reply))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::client_config))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::client_status))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::thing_outcome))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::ping_outcome))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::client_actor))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::router_actor))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::events::event_sink_actor))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::events::event_subscriber_actor))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::thing_directory))
  CAF_ADD_TYPE_ID(holobroker_client, (holobroker::client::thing_policy))

CAF_END_TYPE_ID_BLOCK(holobroker_client)

namespace holobroker::client {

/// Registers the block above and the error category renderer.
void add_message_types(caf::actor_system_config& cfg);

} // namespace holobroker::client
