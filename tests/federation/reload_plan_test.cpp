#define CAF_SUITE federation_reload_plan
#include <caf/test/unit_test.hpp>

#include "holobroker/broker/reload_plan.hpp"

using namespace holobroker;

namespace {

config::broker_config federated() {
  config::broker_config cfg;
  cfg.federation.enabled = true;
  cfg.federation.plain = true;
  cfg.federation.port = 4300;
  cfg.federation.peers = {{"10.0.0.2", 4300}, {"10.0.0.3", 4300}};
  return cfg;
}

} // namespace

CAF_TEST(a change of broker.peers alone needs no restart) {
  auto running = federated();
  auto next = running;
  next.federation.peers = {{"10.0.0.3", 4300}, {"10.0.0.4", 4300}};
  CAF_CHECK(broker::plan_reload(running, next).needs_restart.empty());
  next.federation.peers.clear();
  CAF_CHECK(broker::plan_reload(running, next).needs_restart.empty());
}

CAF_TEST(the other federation settings are named one key each as needing a restart) {
  auto running = federated();
  auto with = [&](auto change) {
    auto next = running;
    next.federation.peers.pop_back(); // peers change too; never named
    change(next.federation);
    return broker::plan_reload(running, next).needs_restart;
  };
  using keys = std::vector<std::string>;
  CAF_CHECK_EQUAL(with([](auto& f) { f.port = 4301; }), keys{"broker.federation.listen"});
  CAF_CHECK_EQUAL(with([](auto& f) { f.host = "0.0.0.0"; }), keys{"broker.federation.listen"});
  CAF_CHECK_EQUAL(with([](auto& f) { f.ca = "/etc/ca.crt"; }), keys{"broker.federation.tls"});
  CAF_CHECK_EQUAL(with([](auto& f) { f.plain = false; }), keys{"broker.federation.plain"});
  CAF_CHECK_EQUAL(with([](auto& f) { f.reconnect_max = config::seconds{5}; }),
                  keys{"broker.federation.reconnect"});
  CAF_CHECK_EQUAL(with([](auto& f) { f.ping_interval = config::seconds{5}; }),
                  keys{"broker.federation.ping_interval"});
  CAF_CHECK_EQUAL(with([](auto& f) { f.deadline_margin = config::seconds{5}; }),
                  keys{"broker.federation.deadline_margin"});
  CAF_CHECK_EQUAL(with([](auto& f) { f = config::federation_config{}; }),
                  keys{"broker.federation"});
}
