// Principals, address ranges and the policy's decisions.
#define CAF_SUITE security.policy
#include <caf/test/unit_test.hpp>

#include "holobroker/security/cidr.hpp"
#include "holobroker/security/policy.hpp"
#include "holobroker/security/principal.hpp"
#include "support/policy_rules.hpp"

using namespace holobroker::security;
using holobroker::test::gid_selector;
using holobroker::test::rule;
using holobroker::test::uid_selector;

namespace {

principal unix_peer(std::uint32_t uid, std::uint32_t gid, std::vector<std::uint32_t> groups = {}) {
  principal p;
  p.kind = principal_kind::unix_peer;
  p.uid = uid;
  p.gid = gid;
  p.groups = std::move(groups);
  return p;
}

principal tcp_peer(std::string address) {
  principal p;
  p.kind = principal_kind::tcp_peer;
  p.address = std::move(address);
  return p;
}

principal key(std::string name) {
  principal p;
  p.kind = principal_kind::curve_key;
  p.key_name = std::move(name);
  return p;
}

} // namespace

CAF_TEST(a user id round-trips through its text for every kind of principal) {
  for (const auto& p : {unix_peer(1000, 100, {27, 1002}), unix_peer(0, 0), tcp_peer("10.1.2.3"),
                        tcp_peer("::1"), key("alice"), principal{}}) {
    auto back = parse_user_id(p.user_id());
    CAF_REQUIRE(back.has_value());
    CAF_CHECK(*back == p);
  }
  CAF_CHECK(!parse_user_id("unix:12:x:").has_value());
  CAF_CHECK(!parse_user_id("unix:12").has_value());
  CAF_CHECK(!parse_user_id("bogus:1").has_value());
  CAF_CHECK_EQUAL(unix_peer(1000, 100).describe(), "uid 1000 (gid 100)");
}

CAF_TEST(the IPC ZAP address of libzmq 4.3.4 yields uid and gid) {
  auto p = unix_peer_of_zap_address("localhost:1000:100:4242");
  CAF_REQUIRE(p.has_value());
  CAF_CHECK_EQUAL(p->uid, 1000u);
  CAF_CHECK_EQUAL(p->gid, 100u);
  CAF_CHECK(!unix_peer_of_zap_address("127.0.0.1").has_value());
  CAF_CHECK(!unix_peer_of_zap_address("").has_value());
  CAF_CHECK(!unix_peer_of_zap_address("localhost:a:1:2").has_value());
}

CAF_TEST(address ranges match IPv4 IPv6 and IPv4 mapped peers by prefix) {
  auto lan = cidr::parse("10.0.0.0/8");
  CAF_REQUIRE(lan.has_value());
  CAF_CHECK(lan->contains("10.255.1.2"));
  CAF_CHECK(lan->contains("::ffff:10.0.0.5"));
  CAF_CHECK(!lan->contains("11.0.0.1"));
  CAF_CHECK(!lan->contains("not an address"));
  auto odd = cidr::parse("192.168.1.128/25");
  CAF_REQUIRE(odd.has_value());
  CAF_CHECK(odd->contains("192.168.1.200"));
  CAF_CHECK(!odd->contains("192.168.1.127"));
  auto host = cidr::parse("127.0.0.1");
  CAF_REQUIRE(host.has_value());
  CAF_CHECK(host->contains("127.0.0.1"));
  CAF_CHECK(!host->contains("127.0.0.2"));
  auto v6 = cidr::parse("fd00::/8");
  CAF_REQUIRE(v6.has_value());
  CAF_CHECK(v6->contains("fd12::1"));
  CAF_CHECK(!v6->contains("fe80::1"));
  CAF_CHECK(!v6->contains("10.0.0.1"));
  for (auto bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x", ""})
    CAF_CHECK(!cidr::parse(bad).has_value());
}

CAF_TEST(wire operations map to policy operations) {
  CAF_CHECK(operation_of("readproperty", "x") == operation::read);
  CAF_CHECK(operation_of("readallproperties", "") == operation::read);
  CAF_CHECK(operation_of("writeproperty", "x") == operation::write);
  CAF_CHECK(operation_of("deleteproperty", "x") == operation::write);
  CAF_CHECK(operation_of("invokeaction", "acquire") == operation::invoke);
  CAF_CHECK(operation_of("invokeaction", "get_thing_description") == operation::introspect);
  CAF_CHECK(operation_of("observeproperty", "x") == operation::subscribe);
  CAF_CHECK(!operation_of("frobnicate", "x").has_value());
}

CAF_TEST(what no rule allows is denied and the reason says why) {
  policy p;
  p.rules.push_back(rule(gid_selector(100), {"spectrometer", "motor-*"},
                         {operation::read, operation::subscribe}));
  p.rules.push_back(rule(uid_selector(1000), {"*"}, {operation::write, operation::invoke}));
  auto reader = unix_peer(2000, 5, {100});
  CAF_CHECK(p.authorize(reader, "spectrometer", operation::read).allowed);
  CAF_CHECK(p.authorize(reader, "motor-x", operation::subscribe).allowed);
  CAF_CHECK(!p.authorize(reader, "spectrometer", operation::write).allowed);
  CAF_CHECK(!p.authorize(reader, "spectrometer", operation::invoke).allowed);
  CAF_CHECK(!p.authorize(reader, "laser", operation::read).allowed);
  auto d = p.authorize(reader, "spectrometer", operation::write);
  CAF_CHECK_EQUAL(d.reason, "no policy rule allows write on this Thing");
  // Rules add up: uid 1000 in group 100 reads (rule 0) and writes (rule 1).
  auto owner = unix_peer(1000, 100);
  CAF_CHECK(p.authorize(owner, "spectrometer", operation::read).allowed);
  CAF_CHECK(p.authorize(owner, "laser", operation::invoke).allowed);
  CAF_CHECK(!p.authorize(owner, "laser", operation::read).allowed);
  auto stranger = unix_peer(3000, 3000);
  CAF_CHECK(!p.mentions(stranger));
  CAF_CHECK_EQUAL(p.authorize(stranger, "spectrometer", operation::read).reason,
                  "no policy rule is about this principal");
  CAF_CHECK(!p.mentions(principal{}));
  CAF_CHECK(!p.mentions(tcp_peer("127.0.0.1")));
  CAF_CHECK(!p.mentions(key("alice")));
}

CAF_TEST(address and key selectors match only their kind of principal) {
  principal_selector lan;
  lan.what = principal_selector::kind::cidr;
  lan.range = cidr::parse("10.0.0.0/8");
  principal_selector alice;
  alice.what = principal_selector::kind::key;
  alice.key = "alice";
  CAF_CHECK(lan.matches(tcp_peer("10.0.0.1")));
  CAF_CHECK(!lan.matches(tcp_peer("192.168.0.1")));
  CAF_CHECK(!lan.matches(key("alice")));
  CAF_CHECK(alice.matches(key("alice")));
  CAF_CHECK(!alice.matches(key("bob")));
  CAF_CHECK(!alice.matches(tcp_peer("10.0.0.1")));
  CAF_CHECK(!uid_selector(0).matches(principal{}));
  CAF_CHECK(principal_selector{}.matches(principal{})); // "*"
}
