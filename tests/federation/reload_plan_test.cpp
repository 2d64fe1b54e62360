#define CAF_SUITE federation_reload_plan
#include <caf/test/unit_test.hpp>

#include "holobroker/broker/reload_plan.hpp"

using namespace holobroker;

namespace {

using keys = std::vector<std::string>;

keys names(const broker::reload_plan& plan) {
  keys out;
  for (const auto& k : plan.needs_restart)
    out.push_back(k.key);
  return out;
}

/// Through the real loader, as holobrokerd reads its file.
config::broker_config load(const std::string& yaml, const std::string& file) {
  auto cfg = config::parse_config(yaml, file);
  if (!cfg)
    CAF_FAIL("the test's YAML is invalid: " << cfg.error().to_string());
  return *cfg;
}

// Line 5 is `listen`, at column 5 (under `federation`, at line 3 column 3).
const std::string running_yaml = "broker:\n"
                                 "  id: site-a\n"
                                 "  federation:\n"
                                 "    plain: true\n"
                                 "    listen: 127.0.0.1:4300\n"
                                 "    ping_interval: 200ms\n"
                                 "  peers: [10.0.0.2:4300]\n"
                                 "things: []\n";

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
    return names(broker::plan_reload(running, next));
  };
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

CAF_TEST(a restart-only key changed in the new file is named at its line and column there) {
  auto running = load(running_yaml, "old.yaml");
  // The new file moves `listen` down a line and changes it; the peers
  // change too (applied by the reload, never warned about).
  auto next = load("broker:\n"
                   "  id: site-a\n"
                   "  federation:\n"
                   "    plain: true\n"
                   "    ping_interval: 200ms\n"
                   "    listen:   127.0.0.1:4301\n"
                   "  peers: [10.0.0.3:4300]\n"
                   "things: []\n",
                   "new.yaml");
  auto plan = broker::plan_reload(running, next);
  CAF_REQUIRE_EQUAL(plan.needs_restart.size(), 1u);
  const auto& k = plan.needs_restart[0];
  CAF_CHECK_EQUAL(k.key, "broker.federation.listen");
  CAF_CHECK(!k.removed);
  CAF_CHECK_EQUAL(k.file, "new.yaml");
  CAF_CHECK_EQUAL(k.at, "broker.federation.listen");
  CAF_CHECK_EQUAL(k.line, 6);
  CAF_CHECK_EQUAL(k.column, 5);
  CAF_CHECK_EQUAL(broker::to_string(k), "new.yaml:6:5: broker.federation.listen: changed; it "
                                        "takes effect only after a restart");
}

CAF_TEST(a deleted federation section is reported removed at its nearest enclosing section) {
  auto running = load(running_yaml, "old.yaml");
  // `broker:` stays (line 2 here); the federation and its peers are gone.
  auto plan = broker::plan_reload(running, load("things: []\n"
                                                "broker:\n"
                                                "  id: site-a\n",
                                                "new.yaml"));
  CAF_REQUIRE_EQUAL(plan.needs_restart.size(), 1u);
  const auto& k = plan.needs_restart[0];
  CAF_CHECK_EQUAL(k.key, "broker.federation");
  CAF_CHECK(k.removed);
  CAF_CHECK_EQUAL(k.at, "broker");
  CAF_CHECK_EQUAL(k.line, 2);
  CAF_CHECK_EQUAL(k.column, 1);
  CAF_CHECK_EQUAL(broker::to_string(k), "new.yaml:2:1: broker.federation: removed; the running "
                                        "federation stays until a restart");
  // No `broker:` section at all: the file itself is named.
  auto bare = broker::plan_reload(running, load("things: []\n", "bare.yaml"));
  CAF_REQUIRE_EQUAL(names(bare), (keys{"broker.id", "broker.federation"}));
  CAF_CHECK(bare.needs_restart[1].removed);
  CAF_CHECK_EQUAL(bare.needs_restart[1].at, "");
  CAF_CHECK_EQUAL(bare.needs_restart[1].line, 0);
  CAF_CHECK_EQUAL(broker::to_string(bare.needs_restart[1]),
                  "bare.yaml: broker.federation: removed; the running federation stays until a "
                  "restart");
}

CAF_TEST(an added federation section is named added at its line) {
  auto plain = load("broker:\n  id: site-a\nthings: []\n", "old.yaml");
  auto plan = broker::plan_reload(plain, load(running_yaml, "new.yaml"));
  CAF_REQUIRE_EQUAL(names(plan), keys{"broker.federation"});
  const auto& k = plan.needs_restart[0];
  CAF_CHECK(k.added);
  CAF_CHECK(!k.removed);
  CAF_CHECK_EQUAL(broker::to_string(k), "new.yaml:3:3: broker.federation: added; it takes "
                                        "effect only after a restart");
  // Read from no file, the direction is still known.
  auto off = federated();
  off.federation.enabled = false;
  auto back = broker::plan_reload(federated(), off).needs_restart;
  CAF_REQUIRE_EQUAL(back.size(), 1u);
  CAF_CHECK(back[0].removed);
  CAF_CHECK_EQUAL(broker::to_string(back[0]),
                  "broker.federation: removed; the running federation stays until a restart");
}

CAF_TEST(a federation key left to fall back to its default is removed at its section) {
  auto running = load(running_yaml, "old.yaml");
  auto plan = broker::plan_reload(running, load("broker:\n"
                                                "  id: site-a\n"
                                                "  federation: {plain: true,\n"
                                                "               listen: 127.0.0.1:4300}\n"
                                                "  peers: [10.0.0.2:4300]\n"
                                                "things: []\n",
                                                "new.yaml"));
  CAF_REQUIRE_EQUAL(names(plan), keys{"broker.federation.ping_interval"});
  const auto& k = plan.needs_restart[0];
  CAF_CHECK(k.removed);
  CAF_CHECK_EQUAL(k.at, "broker.federation");
  CAF_CHECK_EQUAL(k.line, 3);
  CAF_CHECK_EQUAL(k.column, 3);
  CAF_CHECK_EQUAL(broker::to_string(k), "new.yaml:3:3: broker.federation.ping_interval: "
                                        "removed; the running setting stays until a restart");
}

CAF_TEST(a configuration read from no file names the key without a position) {
  auto running = federated();
  auto next = running;
  next.federation.port = 4301;
  auto plan = broker::plan_reload(running, next);
  CAF_REQUIRE_EQUAL(plan.needs_restart.size(), 1u);
  CAF_CHECK(!plan.needs_restart[0].removed);
  CAF_CHECK_EQUAL(broker::to_string(plan.needs_restart[0]),
                  "broker.federation.listen: changed; it takes effect only after a restart");
}
