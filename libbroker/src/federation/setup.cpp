// Actor-system setup and publishing of the federation endpoint: plain
// middleman, or CAF's OpenSSL module with certificates from files.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>

#include <spdlog/spdlog.h>

#include "holobroker/federation/federation.hpp"
#include "holobroker/federation/openssl_error_queue.hpp"

namespace holobroker::federation {

void configure_actor_system(caf::actor_system_config& sys_cfg,
                            const config::federation_config& cfg) {
  if (!cfg.enabled)
    return;
  sys_cfg.load<caf::io::middleman>();
  if (!cfg.tls())
    return;
  sys_cfg.load<caf::openssl::manager>();
  if (!openssl_error_queue_guarded())
    spdlog::warn("federation: OpenSSL's error queue is not cleared before TLS calls: a refused "
                 "peer's failed handshake can drop a good peer link (README \"Federation\")");
  // With any of these set, CAF's OpenSSL sessions verify the other side's
  // certificate against the CA in both directions and refuse connections
  // without one (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
  sys_cfg.openssl_certificate = cfg.certificate;
  sys_cfg.openssl_key = cfg.key;
  sys_cfg.openssl_cafile = cfg.ca;
}

expected<std::uint16_t, std::string> publish_endpoint(caf::actor_system& sys,
                                                      const endpoint_actor& endpoint,
                                                      const config::federation_config& cfg) {
  auto where = cfg.host + ":" + std::to_string(cfg.port);
  if (!sys.has_middleman())
    return unexpected<std::string>{"the actor system has no middleman loaded"};
  if (cfg.tls() && !sys.has_openssl_manager())
    return unexpected<std::string>{"tls is configured but the OpenSSL module is not loaded"};
  auto res = cfg.tls() ? caf::openssl::publish(endpoint, cfg.port, cfg.host.c_str(), true)
                       : sys.middleman().publish(endpoint, cfg.port, cfg.host.c_str(), true);
  if (!res)
    return unexpected<std::string>{"cannot listen at " + where + ": " + sys.render(res.error())};
  return *res;
}

} // namespace holobroker::federation
