#pragma once

// The soak's accounting: every request it sends has a message id
// `<client>-<sequence>`, and each id must end in exactly one outcome (REPLY,
// EXCEPTION, INVALID_MESSAGE or TIMEOUT): never zero (lost: no answer within
// the answer deadline), never two (a duplicate), never one nobody asked for
// (a stray, or an answer to a oneway request or to a message the server
// drops). One byte of state per sequence number, so a ten-minute run at
// thousands of requests per second stays small.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "holobroker/wire/message_type.hpp"

namespace holobroker::soak {

using clock_type = std::chrono::steady_clock;

class ledger {
public:
  /// What an id expects: one answer (of any operation type, or only
  /// INVALID_MESSAGE), or none at all (oneway, dropped by the rules).
  enum class expects : std::uint8_t { answer, invalid_message, nothing };

  /// A new message id for `client` (an index, the prefix of the id).
  std::string open(std::size_t client, expects what, clock_type::time_point now);

  /// An answer arrived; violations are recorded, not thrown.
  void answered(const std::string& message_id, wire::message_type type,
                const std::string& exception_type, const std::string& exception_message = {});

  /// Ids whose answer is later than `deadline` after they were sent are
  /// lost (recorded once each).
  void expire(clock_type::time_point now, std::chrono::milliseconds deadline);

  std::uint64_t sent() const noexcept { return sent_; }
  std::uint64_t pending() const noexcept { return pending_; }
  std::uint64_t silent() const noexcept { return silent_; }
  std::uint64_t lost() const noexcept { return lost_; }
  std::uint64_t duplicates() const noexcept { return duplicates_; }
  std::uint64_t strays() const noexcept { return strays_; }
  /// Outcomes by answer type (and exception type for EXCEPTION).
  const std::map<std::string, std::uint64_t>& outcomes() const noexcept { return outcomes_; }
  /// The first exception message seen per outcome, for the report.
  const std::map<std::string, std::string>& examples() const noexcept { return examples_; }
  /// The first violations, for the report.
  const std::vector<std::string>& violations() const noexcept { return violations_; }

private:
  enum class state : std::uint8_t { unused, pending, pending_invalid, silent, done, lost };
  struct client_book {
    std::vector<state> seq;
    std::deque<std::pair<std::uint64_t, clock_type::time_point>> order; ///< pending, by send time
  };
  void violation(std::string what);

  std::vector<client_book> books_;
  std::uint64_t sent_ = 0, pending_ = 0, silent_ = 0, lost_ = 0, duplicates_ = 0, strays_ = 0;
  std::map<std::string, std::uint64_t> outcomes_;
  std::map<std::string, std::string> examples_;
  std::vector<std::string> violations_;
  std::uint64_t violation_count_ = 0;
};

} // namespace holobroker::soak
