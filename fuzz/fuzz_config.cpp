// libFuzzer target for the configuration and policy loader: any text is
// either a configuration or one clear error (file:line:column: key: what),
// never a crash, an exception or UB. Whatever loads must make decisions
// without crashing, and the principal (User-Id) and address-range parsers
// must round-trip what they accept.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cpu_budget.hpp"
#include "holobroker/config/broker_config.hpp"
#include "holobroker/security/cidr.hpp"
#include "holobroker/security/policy.hpp"
#include "holobroker/security/principal.hpp"

using namespace holobroker;

namespace {

void require(bool condition) {
  if (!condition)
    std::abort();
}

void check_principal_parsers(std::string_view text) {
  if (auto p = security::parse_user_id(text)) {
    auto again = security::parse_user_id(p->user_id());
    require(again.has_value() && *again == *p);
    (void)p->describe();
  }
  if (auto c = security::cidr::parse(text)) {
    auto slash = text.find('/');
    // The network address itself is in its own range.
    require(c->contains(text.substr(0, slash)));
  }
  (void)security::unix_peer_of_zap_address(text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::cpu_budget budget;
  std::string_view text{reinterpret_cast<const char*>(data), size};
  check_principal_parsers(text);
  auto cfg = config::parse_config(text, "fuzz.yaml");
  if (!cfg) {
    require(!cfg.error().message.empty());
    require(!cfg.error().to_string().empty());
    return 0;
  }
  if (cfg->security.policy) {
    const auto& policy = *cfg->security.policy;
    for (const auto& rule : policy.rules) {
      require(!rule.things.empty());
      require(rule.operations != 0);
    }
    security::principal peers[4];
    peers[1].kind = security::principal_kind::unix_peer;
    peers[1].uid = 1000;
    peers[2].kind = security::principal_kind::tcp_peer;
    peers[2].address = "10.1.2.3";
    peers[3].kind = security::principal_kind::curve_key;
    peers[3].key_name = "alice";
    for (const auto& p : peers) {
      for (auto op : {security::operation::read, security::operation::write,
                      security::operation::invoke, security::operation::subscribe,
                      security::operation::introspect}) {
        auto d = policy.authorize(p, "spectrometer", op);
        require(!d.reason.empty());
        // Allowed implies the principal is mentioned by some rule.
        require(!d.allowed || policy.mentions(p));
      }
    }
  }
  return 0;
}
