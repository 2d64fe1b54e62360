#pragma once

// The front end's defences, in one place so that the request path only
// calls in: the policy decision per request (security/authorizer.hpp), the
// bound on requests in flight per client identity (one client cannot take a
// Thing's whole max_in_flight), the request rate per client identity
// (client_rate_limit.hpp), the clients that do not read their replies
// (their requests are refused before they reach a Thing), the audit of how each write and invoke
// ended, and the counters `status` shows. Owned by the front end's state;
// not shared.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json_fwd.hpp>

#include "broker/client_rate_limit.hpp"
#include "holobroker/broker/request_stats.hpp"
#include "holobroker/security/authorizer.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/response.hpp"

namespace holobroker::broker {

struct admission {
  bool admitted = true;
  /// When not admitted: the EXCEPTION (PermissionError) to answer with.
  std::optional<wire::response> refusal;
  /// For an admitted write or invoke: finish it with the outcome.
  std::optional<security::audit_record> audit;
};

class frontend_guard {
public:
  /// `policy` null: everything allowed, writes and invokes still audited.
  /// `max_per_client` 0: no bound. `rate` off: no rate limit.
  frontend_guard(std::shared_ptr<security::authorizer> policy = nullptr,
                 std::uint32_t max_per_client = 0, client_rate_limit rate = {});

  /// Whether the request may go on at all (policy), before anything else is done with it.
  admission admit(const wire::request& req, std::string_view user_id, std::string_view broker_id);

  /// Whether `identity` may start one more request; if not, the
  /// BlockingIOError reply to send instead.
  std::optional<wire::response> over_limit(const wire::request& req, std::string_view broker_id);

  /// Whether `req`'s client is beyond its request rate at `now` (if not,
  /// the request spends one of its tokens): if so, the BlockingIOError to
  /// answer with (a oneway request is dropped instead). Every request
  /// counts, the broker's own actions too: a `status` flood is a flood.
  std::optional<wire::response> over_rate(const wire::request& req, std::string_view broker_id,
                                          client_rate_limit::time_point now);

  /// How many requests of `identity` are in flight (started, not ended).
  std::uint32_t in_flight(const wire::shared_bytes& identity) const {
    if (in_flight_.empty())
      return 0;
    auto i = in_flight_.find(std::string{identity.view()});
    return i == in_flight_.end() ? 0 : i->second;
  }

  /// A request of `identity` is in flight / has ended with `outcome`.
  void started(const wire::shared_bytes& identity);
  void ended(const wire::shared_bytes& identity, std::optional<security::audit_record>& audit,
             request_outcome outcome);
  /// A request that was never started (no started()) ended with `outcome`;
  /// a non-empty `why` is the audit record's detail (which bound refused it).
  void refused(std::optional<security::audit_record>& audit, request_outcome outcome,
               std::string_view why = {});
  /// An oneway write or invoke was passed on (never answered).
  void passed_oneway(std::optional<security::audit_record>& audit);

  /// If `req`'s client does not read its replies (the last send to it found
  /// its send queue full): the BlockingIOError to answer with instead of
  /// passing the request on. Sending that answer is the probe: once a send
  /// to the client goes through again (reply_sent()), it is served again.
  /// Why: a Thing must not spend its time on requests whose answers are
  /// thrown away while other clients wait for it.
  std::optional<wire::response> not_reading(const wire::request& req, std::string_view broker_id);

  /// What became of a send to `identity`: delivered to its queue, dropped
  /// because the queue is full (the client does not read), or the client is gone.
  void reply_sent(const wire::shared_bytes& identity) {
    if (!not_reading_.empty())
      not_reading_.erase(std::string{identity.view()});
  }
  void reply_dropped(const wire::shared_bytes& identity);
  void client_gone(const wire::shared_bytes& identity) { reply_sent(identity); }

  /// {"denied","client_busy","rate_limited","replies_dropped",
  ///  "not_reading_refused","clients_not_reading","clients_in_flight",
  ///  "clients_rate_tracked"}
  nlohmann::json to_json() const;

  /// At most this many clients are remembered as not reading; beyond it
  /// the list starts afresh (a client gone without a word is never heard
  /// of again, and a forgotten non-reader is marked again by its next
  /// dropped reply).
  static constexpr std::size_t max_not_reading = 4096;

private:
  std::shared_ptr<security::authorizer> policy_;
  std::uint32_t max_per_client_;
  std::unordered_map<std::string, std::uint32_t> in_flight_;
  std::uint64_t denied_ = 0;
  std::uint64_t client_busy_ = 0;
  client_rate_limit rate_;
  std::uint64_t rate_limited_ = 0;
  std::uint64_t replies_dropped_ = 0;
  std::unordered_set<std::string> not_reading_;
  std::uint64_t not_reading_refused_ = 0;
};

} // namespace holobroker::broker
