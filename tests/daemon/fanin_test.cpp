#define CAF_SUITE fanin
#include <caf/test/dsl.hpp>

#include "broker_fixture.hpp"
#include "holobroker/broker/subscription_rule.hpp"
#include "holobroker/security/audit.hpp"
#include "holobroker/security/authorizer.hpp"
#include "holobroker/wire/event.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "support/policy_rules.hpp"

using namespace holobroker;
using namespace holobroker::test;

namespace {

struct fixture : broker_fixture {
  broker::fanin_actor fanin;
  std::shared_ptr<subscriber_script> upstream = std::make_shared<subscriber_script>();
  events::event_subscriber_actor upstream_actor;

  fixture() {
    fanin = broker::spawn_event_fanin(sys, std::make_shared<fake_publisher_socket>(pub, xpub));
    sched.run();
    upstream_actor = spawn_fake_subscriber(sys, upstream);
    caf::anon_send(fanin, broker::put_atom_v, std::string{"test-thing"}, upstream_actor);
    sched.run();
  }

  void upstream_event(const std::string& event, const std::string& payload) {
    caf::anon_send(fanin, broker::event_atom_v,
                   wire::make_event("srv", "test-thing", event,
                                    wire::shared_bytes::copy_of(payload)));
    sched.run();
  }

  // A held promise keeps the fake subscriber alive (it holds the script):
  // without this the actor system would wait for it forever.
  ~fixture() { upstream->held.clear(); }

  /// Answers the i-th held upstream subscription, from inside the fake
  /// subscriber (broker_fixture.hpp: release_held_thing).
  void release_held(std::size_t i) {
    caf::anon_send(upstream_actor, broker::unsubscribe_atom_v, std::string{release_held_thing},
                   std::to_string(i), events::event_sink_actor{});
    sched.run();
  }

  std::vector<std::string> published_topics() {
    std::vector<std::string> out;
    for (auto& frames : pub->sent)
      out.push_back(frames[0].to_string());
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(fanin_tests, fixture)

CAF_TEST(subscribes upstream on first demand and forwards exact topics only) {
  subscriber_sends("test-thing/test_event", true);
  CAF_REQUIRE_EQUAL(upstream->calls.size(), 2u);
  CAF_CHECK_EQUAL(upstream->calls[0], "+test-thing/test_event");
  CAF_CHECK_EQUAL(upstream->calls[1], "+test-thing/test_event_change_event");
  // A second subscriber of the same topic does not subscribe upstream again.
  subscriber_sends("test-thing/test_event", true);
  CAF_CHECK_EQUAL(upstream->calls.size(), 2u);
  // The prefix collision of a direct connection: not forwarded here.
  upstream_event("test_event_with_json_schema", "1");
  upstream_event("test_event", "2");
  CAF_CHECK_EQUAL(published_topics(), std::vector<std::string>{"test-thing/test_event"});
  auto ev = wire::parse_event(pub->sent[0]);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->payload.view(), "2");
}

CAF_TEST(unsubscribes upstream when the last local subscriber leaves) {
  subscriber_sends("test-thing/test_event", true);
  subscriber_sends("test-thing/test_event", true);
  subscriber_sends("test-thing/test_event", false);
  CAF_CHECK_EQUAL(upstream->calls.size(), 2u);
  subscriber_sends("test-thing/test_event", false);
  CAF_REQUIRE_EQUAL(upstream->calls.size(), 4u);
  CAF_CHECK_EQUAL(upstream->calls[2], "-test-thing/test_event");
  CAF_CHECK_EQUAL(upstream->calls[3], "-test-thing/test_event_change_event");
  upstream_event("test_event", "3");
  CAF_CHECK(pub->sent.empty());
}

CAF_TEST(pinned topics stay subscribed and keep the last value) {
  caf::anon_send(fanin, broker::subscribe_atom_v, std::string{"test-thing"},
                 std::string{"measurement"});
  sched.run();
  CAF_REQUIRE_EQUAL(upstream->calls.size(), 1u);
  upstream_event("measurement", "10");
  upstream_event("measurement", "11");
  CAF_CHECK(pub->sent.empty()); // nobody listens locally
  std::optional<wire::event> last;
  sys.spawn(
    [&](caf::event_based_actor* self, broker::fanin_actor f) {
      self
        ->request(f, caf::infinite, broker::get_atom_v, broker::last_atom_v,
                  std::string{"test-thing"}, std::string{"measurement"})
        .then([&](const wire::event& ev) { last = ev; });
    },
    fanin);
  sched.run();
  CAF_REQUIRE(last);
  CAF_CHECK_EQUAL(last->payload.view(), "11");
  // A local subscriber and its departure do not end a pinned subscription
  // (only the change-event topic it also receives comes and goes).
  subscriber_sends("test-thing/measurement", true);
  subscriber_sends("test-thing/measurement", false);
  CAF_CHECK_EQUAL(upstream->calls,
                  (std::vector<std::string>{"+test-thing/measurement",
                                            "+test-thing/measurement_change_event",
                                            "-test-thing/measurement_change_event"}));
}

CAF_TEST(demand for a Thing that joins later is subscribed when it joins) {
  subscriber_sends("late-thing/started", true);
  auto late = std::make_shared<subscriber_script>();
  caf::anon_send(fanin, broker::put_atom_v, std::string{"late-thing"},
                 spawn_fake_subscriber(sys, late));
  sched.run();
  CAF_REQUIRE_EQUAL(late->calls.size(), 2u);
  CAF_CHECK_EQUAL(late->calls[0], "+late-thing/started");
  CAF_CHECK_EQUAL(late->calls[1], "+late-thing/started_change_event");
  CAF_CHECK(upstream->calls.empty());
  // When the Thing leaves, its upstream subscriptions end.
  caf::anon_send(fanin, broker::delete_atom_v, std::string{"late-thing"});
  sched.run();
  CAF_REQUIRE_EQUAL(late->calls.size(), 4u);
  CAF_CHECK_EQUAL(late->calls[2], "-late-thing/started");
  CAF_CHECK_EQUAL(late->calls[3], "-late-thing/started_change_event");
}

CAF_TEST(a subscriber of a property receives its change event and nothing longer) {
  // hololinked's observe_property subscribes <thing>/<property>.
  subscriber_sends("test-thing/integration_time", true);
  CAF_CHECK_EQUAL(upstream->calls,
                  (std::vector<std::string>{"+test-thing/integration_time",
                                            "+test-thing/integration_time_change_event"}));
  upstream_event("integration_time_change_event", "20");
  // Longer topics that merely start with the subscription are not delivered.
  upstream_event("integration_time_max_change_event", "99");
  upstream_event("integration_time_change_event_log", "98");
  upstream_event("integration_time_change_event", "21");
  CAF_CHECK_EQUAL(published_topics(),
                  (std::vector<std::string>{"test-thing/integration_time_change_event",
                                            "test-thing/integration_time_change_event"}));
  CAF_REQUIRE_EQUAL(pub->sent.size(), 2u);
  auto ev = wire::parse_event(pub->sent[1]);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->payload.view(), "21");
}

CAF_TEST(a subscription that is not a whole topic subscribes nothing upstream) {
  subscriber_sends("", true);
  subscriber_sends("test-thing/", true);
  CAF_CHECK(upstream->calls.empty());
  upstream_event("test_event", "1");
  CAF_CHECK(pub->sent.empty());
}

CAF_TEST(the subscription rule) {
  using broker::subscription_receives;
  CAF_CHECK(subscription_receives("x/test_event", "x/test_event"));
  CAF_CHECK(!subscription_receives("x/test_event", "x/test_event_with_json_schema"));
  CAF_CHECK(subscription_receives("x/prop", "x/prop_change_event"));
  CAF_CHECK(!subscription_receives("x/prop", "x/prop2_change_event"));
  CAF_CHECK(!subscription_receives("x/prop", "x/prop_change_event2"));
  CAF_CHECK(!subscription_receives("x/prop", "y/prop_change_event"));
  CAF_CHECK(subscription_receives("x/prop_change_event", "x/prop_change_event"));
  CAF_CHECK(!subscription_receives("x/prop_change_event", "x/prop"));
  CAF_CHECK(!subscription_receives("", "x/prop"));
  CAF_CHECK(!subscription_receives("x/", "x/prop"));
  CAF_CHECK_EQUAL(broker::subscriptions_receiving("x/p_change_event"),
                  (std::vector<std::string>{"x/p_change_event", "x/p"}));
  CAF_CHECK_EQUAL(broker::subscriptions_receiving("x/_change_event"),
                  (std::vector<std::string>{"x/_change_event"}));
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(fanin_last_value_tests, fixture)

CAF_TEST(each subscriber gets a filter for its own subscription only) {
  subscriber_sends("test-thing/test_event", true, 1);
  subscriber_sends("", true, 2); // names no topic: no filter, gets nothing
  subscriber_sends("test-thing/test_event", false, 1);
  CAF_CHECK_EQUAL(xpub->filters[1], (std::vector<std::string>{"+test-thing/test_event",
                                                              "-test-thing/test_event"}));
  CAF_CHECK(xpub->filters[2].empty());
}

CAF_TEST(a late subscriber gets the last value alone and the others get it once) {
  caf::anon_send(fanin, broker::last_atom_v, std::string{"test-thing"}, true,
                 std::set<std::string>{});
  subscriber_sends("test-thing/test_event", true, 1);
  upstream_event("test_event", "1");
  CAF_CHECK_EQUAL(pub->sent.size(), 1u); // broadcast to subscriber 1
  subscriber_sends("test-thing/test_event", true, 2);
  CAF_REQUIRE_EQUAL(xpub->sent_to[2].size(), 1u);
  auto ev = wire::parse_event(xpub->sent_to[2][0]);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->topic, "test-thing/test_event");
  CAF_CHECK_EQUAL(ev->payload.view(), "1");
  // Nothing more was broadcast, so subscriber 1 has it exactly once.
  CAF_CHECK_EQUAL(pub->sent.size(), 1u);
  CAF_CHECK(xpub->sent_to[1].empty());
}

CAF_TEST(a late observer of a property gets the last change event) {
  caf::anon_send(fanin, broker::last_atom_v, std::string{"test-thing"}, false,
                 std::set<std::string>{"prop_change_event"});
  subscriber_sends("test-thing/prop", true, 1);
  upstream_event("prop_change_event", "7");
  subscriber_sends("test-thing/prop", true, 2);
  CAF_REQUIRE_EQUAL(xpub->sent_to[2].size(), 1u);
  auto ev = wire::parse_event(xpub->sent_to[2][0]);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->topic, "test-thing/prop_change_event");
}

CAF_TEST(no last value unless configured for that event) {
  caf::anon_send(fanin, broker::last_atom_v, std::string{"test-thing"}, false,
                 std::set<std::string>{"other"});
  subscriber_sends("test-thing/test_event", true, 1);
  upstream_event("test_event", "1");
  subscriber_sends("test-thing/test_event", true, 2);
  CAF_CHECK(xpub->sent_to[2].empty());
}

CAF_TEST(a value from an earlier upstream subscription is stale and not sent) {
  caf::anon_send(fanin, broker::last_atom_v, std::string{"test-thing"}, true,
                 std::set<std::string>{});
  subscriber_sends("test-thing/test_event", true, 1);
  upstream_event("test_event", "1");
  subscriber_sends("test-thing/test_event", false, 1); // upstream ends
  subscriber_sends("test-thing/test_event", true, 2);  // upstream starts anew
  CAF_CHECK(xpub->sent_to[2].empty());
  // A pinned topic stays current without subscribers.
  caf::anon_send(fanin, broker::subscribe_atom_v, std::string{"test-thing"},
                 std::string{"measurement"});
  sched.run();
  upstream_event("measurement", "5");
  subscriber_sends("test-thing/measurement", true, 3);
  CAF_REQUIRE_EQUAL(xpub->sent_to[3].size(), 1u);
  auto ev = wire::parse_event(xpub->sent_to[3][0]);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->payload.view(), "5");
}

CAF_TEST(a probe is answered on its own topic once upstream subscriptions are set) {
  upstream->hold_acks = true;
  subscriber_sends("test-thing/test_event", true, 1);
  subscriber_sends("holobroker/.probe/n1", true, 1);
  CAF_CHECK_EQUAL(xpub->filters[1], (std::vector<std::string>{"+test-thing/test_event",
                                                              "+holobroker/.probe/n1"}));
  // Not before the upstream subscriber has set both ZMQ subscriptions.
  CAF_CHECK(pub->sent.empty());
  CAF_REQUIRE_EQUAL(upstream->held.size(), 2u);
  release_held(0);
  CAF_CHECK(pub->sent.empty());
  release_held(1);
  CAF_REQUIRE_EQUAL(published_topics(), std::vector<std::string>{"holobroker/.probe/n1"});
  auto probe = wire::parse_event(pub->sent[0]);
  CAF_REQUIRE(probe.has_value());
  CAF_CHECK_EQUAL(probe->header.event_id, "holobroker/.probe/n1");
  // A probe is no demand and is never subscribed upstream.
  CAF_CHECK_EQUAL(upstream->calls, (std::vector<std::string>{"+test-thing/test_event",
                                                             "+test-thing/test_event_change_event"}));
  // With nothing pending upstream, a probe is answered at once.
  subscriber_sends("holobroker/.probe/n2", true, 2);
  auto topics = published_topics(); // CAF_CHECK_EQUAL keeps references
  CAF_REQUIRE(!topics.empty());
  CAF_CHECK_EQUAL(topics.back(), "holobroker/.probe/n2");
  subscriber_sends("holobroker/.probe/n2", false, 2);
  CAF_CHECK_EQUAL(xpub->filters[2].back(), "-holobroker/.probe/n2");
  CAF_CHECK_EQUAL(pub->sent.size(), 2u);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

/// The fan-in of a broker with a security policy: uid 1000 may subscribe to
/// test-thing only, uid 2000 may read it but subscribe to nothing.
struct policy_fixture : fixture {
  std::vector<security::audit_record> audited;

  policy_fixture() {
    security::set_audit_writer([this](const security::audit_record& r) { audited.push_back(r); });
    using security::operation;
    security::policy p;
    p.rules.push_back(rule(uid_selector(1000), {"test-thing"}, {operation::subscribe}));
    p.rules.push_back(rule(uid_selector(2000), {"*"}, {operation::read}));
    fanin = broker::spawn_event_fanin(sys, std::make_shared<fake_publisher_socket>(pub, xpub),
                                      std::make_shared<security::authorizer>(p));
    sched.run();
    caf::anon_send(fanin, broker::put_atom_v, std::string{"test-thing"}, upstream_actor);
    caf::anon_send(fanin, broker::put_atom_v, std::string{"other-thing"}, upstream_actor);
    sched.run();
    upstream->calls.clear();
  }

  ~policy_fixture() { security::set_audit_writer(nullptr); }

  void subscriber_sends_as(const std::string& user_id, std::string_view topic, bool subscribe,
                           int from) {
    pub->user_ids.push_back(user_id);
    subscriber_sends(topic, subscribe, from);
  }

  broker::fanin_summary summary() {
    broker::fanin_summary out;
    bool answered = false;
    self->send(fanin, broker::get_atom_v, broker::topics_atom_v);
    sched.run();
    self->receive(
      [&](const broker::fanin_summary& s) {
        out = s;
        answered = true;
      },
      caf::after(std::chrono::seconds{0}) >> [] {});
    CAF_REQUIRE(answered);
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(fanin_policy_tests, policy_fixture)

CAF_TEST(a subscriber gets filters only for the Things the policy lets it subscribe to) {
  subscriber_sends_as("unix:1000:1000:", "test-thing/test_event", true, 1);
  subscriber_sends_as("unix:1000:1000:", "other-thing/test_event", true, 1);
  CAF_REQUIRE_EQUAL(xpub->filters[1].size(), 2u);
  CAF_CHECK_EQUAL(xpub->filters[1][0], "+test-thing/test_event");
  // The denied one: only the filter of its denial, and the denial to it alone.
  CAF_CHECK_EQUAL(xpub->filters[1][1], "+holobroker/.denied/other-thing/test_event");
  CAF_REQUIRE_EQUAL(xpub->sent_to[1].size(), 1u);
  auto denial = wire::parse_event(xpub->sent_to[1][0]);
  CAF_REQUIRE(denial.has_value());
  CAF_CHECK_EQUAL(denial->topic, "holobroker/.denied/other-thing/test_event");
  auto ex = wire::parse_remote_exception(denial->payload.view());
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->type, "PermissionError");
  CAF_CHECK(ex->message.find("uid 1000") != std::string::npos);
  CAF_CHECK(ex->message.find("other-thing") != std::string::npos);
  CAF_CHECK(pub->sent.empty()); // nothing broadcast
  // Audited with principal, Thing, operation and outcome.
  CAF_REQUIRE_EQUAL(audited.size(), 1u);
  CAF_CHECK_EQUAL(audited[0].principal, "uid 1000 (gid 1000)");
  CAF_CHECK_EQUAL(audited[0].thing, "other-thing");
  CAF_CHECK_EQUAL(audited[0].operation, "subscribe");
  CAF_CHECK_EQUAL(audited[0].objekt, "test_event");
  CAF_CHECK_EQUAL(audited[0].outcome, "denied");
  auto denied = summary().subscriptions_denied; // CAF_CHECK_EQUAL keeps references
  CAF_CHECK_EQUAL(denied, 1u);
}

CAF_TEST(a principal without subscribe and an anonymous subscriber get no filter at all) {
  subscriber_sends_as("unix:2000:2000:", "test-thing/test_event", true, 2);
  subscriber_sends("test-thing/test_event", true, 3); // no User-Id: anonymous
  CAF_CHECK_EQUAL(xpub->filters[2],
                  std::vector<std::string>{"+holobroker/.denied/test-thing/test_event"});
  CAF_CHECK_EQUAL(xpub->filters[3],
                  std::vector<std::string>{"+holobroker/.denied/test-thing/test_event"});
  CAF_CHECK_EQUAL(audited.size(), 2u);
  // An event of that topic reaches the XPUB (it filters: nobody matches).
  auto denied = summary().subscriptions_denied;
  CAF_CHECK_EQUAL(denied, 2u);
}

CAF_TEST(a denied subscriber gets no last value) {
  caf::anon_send(fanin, broker::last_atom_v, std::string{"test-thing"}, true,
                 std::set<std::string>{});
  subscriber_sends_as("unix:1000:1000:", "test-thing/test_event", true, 1);
  upstream_event("test_event", "1");
  subscriber_sends_as("unix:2000:2000:", "test-thing/test_event", true, 2);
  subscriber_sends_as("unix:1000:1000:", "test-thing/test_event", true, 3);
  // Subscriber 2 got its denial only; subscriber 3 the last value.
  CAF_REQUIRE_EQUAL(xpub->sent_to[2].size(), 1u);
  CAF_CHECK_EQUAL(xpub->sent_to[2][0][0].to_string(),
                  "holobroker/.denied/test-thing/test_event");
  CAF_REQUIRE_EQUAL(xpub->sent_to[3].size(), 1u);
  CAF_CHECK_EQUAL(xpub->sent_to[3][0][0].to_string(), "test-thing/test_event");
}

CAF_TEST(denials keep the demand count balanced when the denied subscriber leaves) {
  // libzmq reports a departed subscriber's subscriptions without saying who
  // it was, so a denied subscription counts as demand until it goes.
  subscriber_sends_as("unix:2000:2000:", "test-thing/test_event", true, 2);
  subscriber_sends_as("unix:1000:1000:", "test-thing/test_event", true, 1);
  auto both = summary().subscribed.at("test-thing/test_event");
  CAF_CHECK_EQUAL(both, 2u);
  subscriber_sends("test-thing/test_event", false, -1); // subscriber 2 went away
  subscriber_sends("test-thing/test_event", false, -1); // subscriber 1 went away
  auto left = summary().subscribed.count("test-thing/test_event");
  CAF_CHECK_EQUAL(left, 0u);
  CAF_CHECK_EQUAL(upstream->calls.back(), "-test-thing/test_event_change_event");
}

CAF_TEST(subscriptions to the denial prefix and probes need no permission) {
  subscriber_sends_as("unix:2000:2000:", "holobroker/.denied/test-thing/test_event", true, 2);
  subscriber_sends_as("unix:2000:2000:", "holobroker/.probe/n1", true, 2);
  // The denial prefix is the fan-in's to filter: no filter, no demand.
  CAF_CHECK_EQUAL(xpub->filters[2], std::vector<std::string>{"+holobroker/.probe/n1"});
  CAF_CHECK(upstream->calls.empty());
  CAF_CHECK(audited.empty());
  CAF_CHECK_EQUAL(published_topics(), std::vector<std::string>{"holobroker/.probe/n1"});
}

CAF_TEST_FIXTURE_SCOPE_END()
