// libFuzzer target for the broker's front end: fuzzer-chosen multipart
// messages (frontend_input.hpp says how the bytes split into messages and
// frames) go into the real front-end actor (spawn_frontend) through the fake
// ROUTER socket of the actor tests, in front of their fake fleet and fake
// Thing connection, under CAF's deterministic test coordinator (one actor
// system for the whole run, fresh actors per input). The harness aborts,
// and libFuzzer keeps the input, when one of these does not hold:
//
// - nothing crashes, and ASan/UBSan/LSan report nothing;
// - every message gets what the real hololinked server would give it
//   (wire::server_intake is the oracle of the shape rules): a dropped
//   message or EXIT gets no answer, a HANDSHAKE exactly one HANDSHAKE, a
//   malformed one exactly one INVALID_MESSAGE, an operation exactly one
//   answer (REPLY, EXCEPTION, INVALID_MESSAGE or TIMEOUT) under its message
//   id to the identity that sent it, a oneway operation none; whatever the
//   policy, the per-client bounds (in flight, rate), a client that does not read, or the order
//   in which the actors run;
// - every answer is 5 frames that the wire codec parses back, from the
//   broker's id;
// - every audit record names a message of the input and a known outcome;
// - the front end drains (requests held by the Thing fail at the end of the
//   grace period), and after the input no actor and no socket outlives it
//   (memory stays bounded across millions of inputs; LSan checks the rest).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <spdlog/spdlog.h>

#include "cpu_budget.hpp"
#include "daemon/broker_fixture.hpp"
#include "frontend_input.hpp"
#include "support/policy_rules.hpp"
#include "holobroker/security/audit.hpp"
#include "holobroker/security/authorizer.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/wire/server_rules.hpp"

using namespace holobroker;
using holobroker::test::fake_wire_state;

namespace {

constexpr std::string_view broker_id = "holobroker";

[[noreturn]] void violated(const std::string& what) {
  std::fprintf(stderr, "fuzz_frontend: invariant violated: %s\n", what.c_str());
  std::abort();
}

/// `what` says what went wrong: a string, or a callable that makes one only
/// when the check fails (the checks run for every answer of every input).
template <class What>
void require(bool condition, What&& what) {
  if (condition) [[likely]]
    return;
  if constexpr (std::is_invocable_v<What>)
    violated(std::string{what()});
  else
    violated(std::string{what});
}

/// uid 1000 reads, subscribes and introspects everything; uid 2000 does all
/// on the motor; everybody else (anonymous, TCP, CURVE, uid 3000) is denied.
std::shared_ptr<security::authorizer> make_policy() {
  using security::operation;
  security::policy p;
  p.rules.push_back(test::rule(test::uid_selector(1000), {"*"},
                               {operation::read, operation::subscribe, operation::introspect}));
  p.rules.push_back(test::rule(test::uid_selector(2000), {"motor"},
                               {operation::read, operation::write, operation::invoke}));
  return std::make_shared<security::authorizer>(p);
}

struct world {
  test::broker_test_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::shared_ptr<security::authorizer> policy = make_policy();
  std::size_t baseline_actors;
  std::vector<security::audit_record> audited;

  static caf::actor_system_config& deterministic(test::broker_test_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    return cfg;
  }

  world()
    : sys(deterministic(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      baseline_actors(sys.registry().running()) {
    sched.clock().current_time += std::chrono::hours(1);
  }
};

world* the_world = nullptr;

/// What the harness expects for one (identity, message id).
struct expectation {
  std::size_t answers = 0;
  std::set<wire::message_type> types;
};

using answer_key = std::pair<std::string, std::string>;

const std::set<wire::message_type> operation_answers{
  wire::message_type::reply, wire::message_type::exception,
  wire::message_type::invalid_message, wire::message_type::timeout};

/// The oracle: what a hololinked 0.4 server answers to `frames`, whose
/// intake is `in`.
void owe(std::map<answer_key, expectation>& expected, const wire::multipart& frames,
         const wire::intake& in) {
  switch (in.kind) {
    case wire::intake_kind::drop:
    case wire::intake_kind::exit: return;
    case wire::intake_kind::handshake: {
      auto& e = expected[{std::string{frames[0].view()}, in.req->header.message_id}];
      ++e.answers;
      e.types.insert(wire::message_type::handshake);
      return;
    }
    case wire::intake_kind::invalid: {
      auto& e = expected[{std::string{frames[0].view()}, in.req->header.message_id}];
      ++e.answers;
      e.types.insert(wire::message_type::invalid_message);
      return;
    }
    case wire::intake_kind::operation:
      if (in.req->header.server_context.oneway)
        return; // never answered, as on the real server
      auto& e = expected[{std::string{frames[0].view()}, in.req->header.message_id}];
      ++e.answers;
      e.types.insert(operation_answers.begin(), operation_answers.end());
      return;
  }
}

void check_answers(const std::map<answer_key, expectation>& expected,
                   const std::vector<wire::multipart>& sent) {
  static const auto broker_frame = wire::shared_bytes::copy_of(broker_id);
  std::map<answer_key, std::size_t> got;
  for (const auto& frames : sent) {
    require(frames.size() == wire::message_frame_count,
            [&] { return "an answer of " + std::to_string(frames.size()) + " frames"; });
    auto client_view = frames;
    client_view[0] = broker_frame;
    auto res = wire::parse_response(client_view);
    require(res.has_value(), [&] {
      return "an answer the wire codec does not parse: " + res.error().to_string();
    });
    require(res->header.sender_id == broker_id, "an answer not from the broker's id");
    answer_key key{std::string{frames[0].view()}, res->header.message_id};
    auto e = expected.find(key);
    require(e != expected.end(),
            [&] { return "an answer under message id '" + key.second + "' that nobody is owed"; });
    require(e->second.types.count(res->header.type) == 1, [&] {
      return "a " + std::string{wire::to_string(res->header.type)} + " answer for message id '"
             + key.second + "'";
    });
    ++got[key];
  }
  for (const auto& [key, e] : expected) {
    auto n = got[key];
    require(n == e.answers, [&, &key = key, &e = e] {
      return "message id '" + key.second + "' owed " + std::to_string(e.answers)
             + " answer(s), got " + std::to_string(n);
    });
  }
}

void check_audit(const std::vector<security::audit_record>& audited,
                 const std::set<std::string>& message_ids) {
  static const std::set<std::string> outcomes{"denied",  "reply", "exception", "timeout",
                                              "error",   "oneway", "busy"};
  for (const auto& r : audited) {
    require(message_ids.count(r.message_id) == 1, [&] {
      return "an audit record for message id '" + r.message_id + "' not in the input";
    });
    require(outcomes.count(r.outcome) == 1,
            [&] { return "an audit record with outcome '" + r.outcome + "'"; });
  }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Logging would dominate the run time; the messages are formatted anyway.
  spdlog::set_level(spdlog::level::off);
  the_world = new world; // lives for the process: one actor system per run
  security::set_audit_writer(
    [](const security::audit_record& r) { the_world->audited.push_back(r); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::cpu_budget budget;
  auto& w = *the_world;
  auto input = fuzz::decode_frontend_input(data, size);
  auto front = std::make_shared<fake_wire_state>();
  if (input.slow_reader)
    front->would_block_every = 3;
  auto pub = std::make_shared<fake_wire_state>();
  auto connection_calls = std::make_shared<test::connection_script>();
  auto fleet_calls = std::make_shared<test::fleet_script>();
  std::map<answer_key, expectation> expected;
  std::set<std::string> message_ids;
  w.audited.clear();
  std::optional<std::pair<std::uint64_t, std::uint64_t>> drained;
  {
    const std::vector<std::string> things{"spectrometer", "motor"};
    auto connection = test::spawn_fake_connection(w.sys, connection_calls);
    auto fleet = test::spawn_fake_fleet(w.sys, fleet_calls, connection, things);
    auto fanin = broker::spawn_event_fanin(w.sys,
                                           std::make_shared<test::fake_publisher_socket>(pub));
    broker::frontend_config cfg;
    cfg.broker_id = std::string{broker_id};
    cfg.endpoints.request_ipc = "ipc:///run/hb/holobroker.ipc";
    cfg.endpoints.event_ipc = "ipc:///run/hb/holobroker.event-publisher.ipc";
    if (input.policy)
      cfg.policy = w.policy;
    if (input.per_client_bound) {
      cfg.max_in_flight_per_client = 2;
      // The test clock stands still while an input runs: beyond 4
      // requests a client is over its rate.
      cfg.max_requests_per_second_per_client = 1000;
      cfg.request_burst_per_client = 4;
    }
    auto frontend = broker::spawn_frontend(w.sys, cfg,
                                           std::make_shared<test::fake_frontend_socket>(front),
                                           fleet, fanin, test::fake_directory(connection, things));
    w.sched.run();

    for (const auto& m : input.messages) {
      for (std::size_t s = 0; s < m.steps && w.sched.try_run_once(); ++s) {
      }
      wire::multipart frames;
      for (const auto& f : m.frames)
        frames.push_back(wire::shared_bytes::copy_of(f));
      if (!frames.empty()) {
        auto in = wire::server_intake(frames); // once: the oracle is the codec's slowest part
        owe(expected, frames, in);
        if (in.req)
          message_ids.insert(in.req->header.message_id);
      }
      front->inbound.push_back(std::move(frames));
      front->user_ids.emplace_back(fuzz::user_ids[m.user]);
      front->wake();
    }
    w.sched.run();

    // Drain: what the Thing holds fails at the end of the grace period, so
    // every request has its answer afterwards.
    w.sys.spawn(
      [&drained](caf::event_based_actor* self, broker::frontend_actor fe) {
        self->request(fe, caf::infinite, broker::drain_atom_v, caf::timespan{std::chrono::seconds{1}})
          .then([&drained](std::uint64_t completed, std::uint64_t failed) {
            drained.emplace(completed, failed);
          });
      },
      frontend);
    w.sched.run();
    // Past the grace period and every pending request timeout.
    w.sched.clock().advance_time(std::chrono::seconds{10});
    w.sched.run();
    require(drained.has_value(), "the front end did not finish its drain");
    require(front->closed, "the drained front end kept its socket");

    for (const caf::actor_addr& a : {frontend.address(), fleet.address(), fanin.address(),
                                     connection.address()})
      caf::anon_send_exit(a, caf::exit_reason::kill);
    w.sched.run();
  }
  require(front->inbound.empty() || drained.has_value(), "unread messages");
  check_answers(expected, front->sent);
  check_audit(w.audited, message_ids);
  require(w.sys.registry().running() == w.baseline_actors, [&] {
    return "actors outlive their input: " + std::to_string(w.sys.registry().running())
           + " running";
  });
  require(front.use_count() == 1 && pub.use_count() == 1,
          "a socket outlives its actors");
  return 0;
}
