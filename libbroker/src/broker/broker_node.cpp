#include "holobroker/broker/broker_node.hpp"

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "holobroker/broker/ipc_endpoint.hpp"
#include "holobroker/broker/security_setup.hpp"
#include "holobroker/broker/zmq_listener.hpp"
#include "holobroker/transport/reactor.hpp"
#include "holobroker/transport/zmq_transport.hpp"
#include "holobroker/wire/address.hpp"

namespace holobroker::broker {

namespace {

std::string temp_dir_of(const config::broker_config& cfg) {
  return cfg.temp_dir.empty() ? wire::default_temp_dir() : cfg.temp_dir;
}

/// `tcp://0.0.0.0:P` -> `tcp://<host name>:P`: a TD must name a reachable host.
std::string reachable(const std::string& endpoint) {
  for (std::string_view any : {"tcp://0.0.0.0:", "tcp://*:"}) {
    if (endpoint.rfind(any, 0) == 0) {
      char host[256] = {};
      if (::gethostname(host, sizeof(host) - 1) != 0)
        return endpoint;
      return "tcp://" + std::string{host} + ":" + endpoint.substr(any.size());
    }
  }
  return endpoint;
}

std::string first_with_scheme(const std::vector<std::string>& endpoints, std::string_view scheme) {
  for (const auto& ep : endpoints)
    if (ep.rfind(scheme, 0) == 0)
      return reachable(ep);
  return {};
}

std::vector<std::string> non_empty(std::initializer_list<std::string> xs) {
  std::vector<std::string> out;
  for (const auto& x : xs)
    if (!x.empty())
      out.push_back(x);
  return out;
}

} // namespace

broker_endpoints configured_endpoints(const config::broker_config& cfg) {
  broker_endpoints ep;
  auto dir = temp_dir_of(cfg);
  if (cfg.frontend_ipc)
    ep.request_ipc = wire::ipc_request_address(dir, cfg.id);
  ep.request_tcp = cfg.frontend_tcp;
  if (cfg.events_ipc)
    ep.event_ipc = wire::ipc_event_address(dir, cfg.id);
  ep.event_tcp = cfg.events_tcp;
  if (ep.event_tcp.empty() && !cfg.frontend_tcp.empty()) {
    // Port + 1 as hololinked does; with port 0 the events get any free port too.
    auto colon = cfg.frontend_tcp.rfind(':');
    if (cfg.frontend_tcp.substr(colon + 1) == "0")
      ep.event_tcp = cfg.frontend_tcp;
    else
      ep.event_tcp = wire::tcp_event_address(cfg.frontend_tcp);
  }
  return ep;
}

expected<std::uint16_t, std::string> publish_router(caf::actor_system& sys,
                                                    const client::router_actor& router,
                                                    std::uint16_t port, const std::string& host) {
  if (!sys.has_middleman())
    return unexpected<std::string>{"the actor system has no middleman loaded"};
  auto res = sys.middleman().publish(router, port, host.c_str(), true);
  if (!res)
    return unexpected<std::string>{"cannot publish the router at " + host + ":"
                                   + std::to_string(port) + ": " + sys.render(res.error())};
  return *res;
}

expected<std::unique_ptr<broker_node>, std::string>
broker_node::start(caf::actor_system& sys, const config::broker_config& cfg,
                   std::shared_ptr<zmq::context_t> context) {
  if (!context) {
    context = std::make_shared<zmq::context_t>(1);
    // Each Thing costs a ROUTER and the two PAIR sockets of its monitor, each
    // server a SUB: libzmq's default cap of 1023 sockets stops a fleet at
    // about 330 Things. The cap only sizes a table of pointers, so take the
    // largest libzmq allows; reloads may grow the fleet.
    context->set(zmq::ctxopt::max_sockets, context->get(zmq::ctxopt::socket_limit));
  }
  auto wanted = configured_endpoints(cfg);
  auto options = frontend_options_of(cfg);
  if (!options)
    return unexpected<std::string>{options.error()};
  // The ZAP handler must be bound before the sockets it guards (zap_handler.hpp).
  std::unique_ptr<security::zap_handler> zap;
  std::optional<security::zap_settings> zap_settings;
  if (cfg.security.enabled) {
    for (const auto* ipc : {&wanted.request_ipc, &wanted.event_ipc}) {
      auto path = ipc_path_of(*ipc);
      if (path.empty())
        continue;
      auto dir = path.substr(0, path.rfind('/'));
      if (auto ok = check_socket_directory(dir); !ok)
        return unexpected<std::string>{"security: " + ok.error()};
    }
    auto settings = zap_settings_of(cfg);
    if (!settings)
      return unexpected<std::string>{settings.error()};
    zap_settings = *settings;
    auto handler = security::zap_handler::start(context, std::move(*settings));
    if (!handler)
      return unexpected<std::string>{"security: " + handler.error()};
    zap = std::move(*handler);
  }
  // One reactor thread watches the front end, the publisher and every
  // connection of the fleet.
  auto io = std::make_shared<transport::reactor>();
  auto listeners = make_zmq_listener_factory(context, io);
  auto frontend = listeners->open_frontend(cfg.id, non_empty({wanted.request_ipc,
                                                              wanted.request_tcp}),
                                           *options);
  if (!frontend)
    return unexpected<std::string>{"front end: " + frontend.error()};
  std::shared_ptr<publisher_socket> publisher;
  std::vector<std::string> event_endpoints;
  if (auto addrs = non_empty({wanted.event_ipc, wanted.event_tcp}); !addrs.empty()) {
    auto pub_options = *options;
    if (cfg.security.enabled)
      pub_options.zap_domain = security::events_domain;
    auto pub = listeners->open_publisher(addrs, pub_options);
    if (!pub)
      return unexpected<std::string>{"event publisher: " + pub.error()};
    publisher = std::move(pub->socket);
    event_endpoints = std::move(pub->endpoints);
  }
  // The handler started strict (every Thing for a subscriber); a manual XPUB
  // lets the fan-in decide each subscription instead. A connection in
  // between got the strict rule: it fails closed.
  bool events_filtered = publisher && publisher->manual();
  if (zap && events_filtered) {
    zap_settings->events_filtered = true;
    zap->update(std::move(*zap_settings));
  }
  std::unique_ptr<broker_node> node{new broker_node(sys)};
  auto& ep = node->endpoints_;
  ep.request_ipc = first_with_scheme(frontend->endpoints, "ipc://");
  ep.request_tcp = first_with_scheme(frontend->endpoints, "tcp://");
  ep.event_ipc = first_with_scheme(event_endpoints, "ipc://");
  ep.event_tcp = first_with_scheme(event_endpoints, "tcp://");
  node->curve_endpoint_ = first_with_scheme(frontend->endpoints, "curve+tcp://");
  node->curve_event_endpoint_ = first_with_scheme(event_endpoints, "curve+tcp://");
  node->zap_ = std::move(zap);
  node->authorizer_ = std::make_shared<security::authorizer>(cfg.security.policy);
  node->security_enabled_ = cfg.security.enabled;
  node->events_filtered_ = events_filtered;
  node->running_security_ = cfg.security;
  auto transports = transport::make_zmq_transport_factory(context, io);
  node->fanin_ = spawn_event_fanin(sys, std::move(publisher), node->authorizer_);
  node->fleet_ = spawn_fleet(sys, cfg, node->fanin_, transports);
  node->local_fleet_ = node->fleet_;
  if (cfg.federation.enabled) {
    // Peers follow the local fleet only (nothing learnt from a peer is
    // exported again); the front end and the router follow the merge.
    node->endpoint_ = federation::spawn_endpoint(sys, cfg.id, node->local_fleet_);
    node->fleet_ = federation::spawn_federation(sys, cfg.id, cfg.federation, node->local_fleet_,
                                                node->fanin_);
  }
  // The fleet's first snapshot, so the front end knows every configured
  // Thing before it reads its first request.
  client::thing_directory directory;
  {
    caf::scoped_actor self{sys};
    bool ok = false;
    self->request(node->fleet_, std::chrono::seconds{30}, get_atom_v, client::watch_atom_v)
      .receive(
        [&](client::thing_directory& d) {
          directory = std::move(d);
          ok = true;
        },
        [&](const caf::error& err) {
          spdlog::error("fleet: no directory at start: {}", sys.render(err));
        });
    if (!ok)
      return unexpected<std::string>{"fleet: did not start"};
  }
  node->router_ = client::spawn_router(sys, node->fleet_);
  frontend_config fcfg;
  fcfg.broker_id = cfg.id;
  fcfg.endpoints = ep;
  if (!node->curve_endpoint_.empty()) {
    // What a CURVE client's Thing Descriptions name: only the CURVE
    // endpoints (a client that speaks CURVE to the front end speaks it to
    // the events too; plain clients never see these).
    fcfg.curve_endpoints.request_tcp = reachable(node->curve_endpoint_.substr(6));
    if (!node->curve_event_endpoint_.empty())
      fcfg.curve_endpoints.event_tcp = reachable(node->curve_event_endpoint_.substr(6));
  }
  fcfg.policy = node->authorizer_;
  fcfg.max_in_flight_per_client = cfg.limits.max_in_flight_per_client;
  fcfg.max_requests_per_second_per_client = cfg.limits.max_requests_per_second_per_client;
  fcfg.request_burst_per_client = cfg.limits.request_burst_per_client;
  node->frontend_ = spawn_frontend(sys, fcfg, std::move(frontend->socket), node->fleet_,
                                   node->fanin_, std::move(directory));
  if (cfg.middleman_port != 0) {
    auto port = publish_router(sys, node->router_, cfg.middleman_port, cfg.middleman_host);
    if (!port)
      return unexpected<std::string>{"middleman: " + port.error()};
    node->middleman_port_ = *port;
  }
  if (cfg.federation.enabled) {
    auto port = federation::publish_endpoint(sys, node->endpoint_, cfg.federation);
    if (!port)
      return unexpected<std::string>{"federation: " + port.error()};
    node->federation_port_ = *port;
    spdlog::info("federation: listening at {}:{} ({}), {} peers", cfg.federation.host, *port,
                 cfg.federation.tls() ? "TLS, peers need a certificate of the CA" : "plain TCP",
                 cfg.federation.peers.size());
  }
  return node;
}

broker_node::~broker_node() {
  if (!drained_)
    drain(caf::timespan{0});
  for (auto hdl : {caf::actor_cast<caf::actor>(frontend_), caf::actor_cast<caf::actor>(fleet_),
                   caf::actor_cast<caf::actor>(local_fleet_), caf::actor_cast<caf::actor>(endpoint_),
                   caf::actor_cast<caf::actor>(fanin_), caf::actor_cast<caf::actor>(router_)})
    if (hdl)
      caf::anon_send_exit(hdl, caf::exit_reason::user_shutdown);
}

expected<std::string, std::string> broker_node::status(caf::timespan timeout) {
  caf::scoped_actor self{sys_};
  expected<std::string, std::string> result{std::string{}};
  self->request(frontend_, timeout, get_atom_v, status_atom_v)
    .receive([&](const std::string& doc) { result = doc; },
             [&](const caf::error& err) {
               result = unexpected<std::string>{"status: " + sys_.render(err)};
             });
  return result;
}

expected<std::string, std::string> broker_node::reload(const config::broker_config& next) {
  // A file without the security section the daemon started with does not
  // loosen the running security: without its ZAP handler's settings and
  // policy every client would be let in and allowed everything until the
  // restart that actually removes it. It stays whole (the fleet's reload
  // plan warns: security removed). An added section's policy applies at
  // once, failing closed until a restart identifies the clients.
  config::broker_config effective = next;
  if (security_enabled_ && !next.security.enabled)
    effective.security = running_security_;
  // Security first: a client key directory that cannot be read rejects the
  // whole reload, before the fleet changes.
  if (zap_) {
    auto settings = zap_settings_of(effective);
    if (!settings)
      return unexpected<std::string>{settings.error()};
    settings->events_filtered = events_filtered_;
    zap_->update(std::move(*settings));
  }
  authorizer_->replace(effective.security.policy);
  running_security_ = effective.security;
  caf::scoped_actor self{sys_};
  expected<std::string, std::string> result{std::string{}};
  self->request(fleet_, std::chrono::seconds{30}, reload_atom_v, next)
    .receive([&](const std::string& summary) { result = summary; },
             [&](const caf::error& err) {
               result = unexpected<std::string>{sys_.render(err)};
             });
  return result;
}

drain_result broker_node::drain(caf::timespan grace) {
  drained_ = true;
  drain_result out;
  caf::scoped_actor self{sys_};
  self->request(frontend_, grace + std::chrono::seconds{10}, drain_atom_v, grace)
    .receive(
      [&](std::uint64_t completed, std::uint64_t failed) {
        out.completed = completed;
        out.failed = failed;
      },
      [&](const caf::error& err) {
        spdlog::error("drain: the front end did not answer: {}", sys_.render(err));
      });
  self->send(fanin_, close_atom_v);
  self->send(fleet_, close_atom_v);
  return out;
}

} // namespace holobroker::broker
