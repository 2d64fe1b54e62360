#include "ledger.hpp"

#include <charconv>

namespace holobroker::soak {

std::string ledger::open(std::size_t client, expects what, clock_type::time_point now) {
  if (books_.size() <= client)
    books_.resize(client + 1);
  auto& book = books_[client];
  auto seq = static_cast<std::uint64_t>(book.seq.size());
  switch (what) {
    case expects::answer: book.seq.push_back(state::pending); break;
    case expects::invalid_message: book.seq.push_back(state::pending_invalid); break;
    case expects::nothing: book.seq.push_back(state::silent); break;
  }
  ++sent_;
  if (what == expects::nothing) {
    ++silent_;
  } else {
    ++pending_;
    book.order.emplace_back(seq, now);
  }
  return "soak" + std::to_string(client) + "-" + std::to_string(seq);
}

void ledger::answered(const std::string& message_id, wire::message_type type,
                      const std::string& exception_type, const std::string& exception_message) {
  // "soak<client>-<seq>"
  std::size_t client = 0;
  std::uint64_t seq = 0;
  auto dash = message_id.find('-');
  bool parsed = message_id.rfind("soak", 0) == 0 && dash != std::string::npos;
  if (parsed) {
    auto c = std::from_chars(message_id.data() + 4, message_id.data() + dash, client);
    auto s = std::from_chars(message_id.data() + dash + 1, message_id.data() + message_id.size(),
                             seq);
    parsed = c.ec == std::errc{} && c.ptr == message_id.data() + dash && s.ec == std::errc{}
             && s.ptr == message_id.data() + message_id.size();
  }
  if (!parsed || client >= books_.size() || seq >= books_[client].seq.size()) {
    ++strays_;
    violation("an answer (" + std::string{wire::to_string(type)} + ") for message id '"
              + message_id + "' that was never sent");
    return;
  }
  auto& st = books_[client].seq[seq];
  switch (st) {
    case state::pending_invalid:
      if (type != wire::message_type::invalid_message)
        violation("message id " + message_id + " (malformed on purpose) got "
                  + std::string{wire::to_string(type)} + ", not INVALID_MESSAGE");
      [[fallthrough]];
    case state::pending: {
      st = state::done;
      --pending_;
      auto key = std::string{wire::to_string(type)};
      if (!exception_type.empty())
        key += " " + exception_type;
      ++outcomes_[key];
      if (!exception_message.empty())
        examples_.try_emplace(key, exception_message);
      return;
    }
    case state::done:
      ++duplicates_;
      violation("a second answer (" + std::string{wire::to_string(type)} + ") for message id "
                + message_id);
      return;
    case state::lost:
      ++duplicates_;
      violation("an answer for message id " + message_id + " after it was declared lost");
      return;
    case state::silent:
      ++strays_;
      violation("an answer (" + std::string{wire::to_string(type)} + ") for message id "
                + message_id + ", which must get none (oneway, or dropped by the rules)");
      return;
    case state::unused: break;
  }
}

void ledger::expire(clock_type::time_point now, std::chrono::milliseconds deadline) {
  for (std::size_t c = 0; c < books_.size(); ++c) {
    auto& book = books_[c];
    while (!book.order.empty()) {
      auto [seq, sent_at] = book.order.front();
      auto& st = book.seq[seq];
      if (st != state::pending && st != state::pending_invalid) {
        book.order.pop_front(); // answered
        continue;
      }
      if (now - sent_at < deadline)
        break; // sent in order: the rest are younger
      st = state::lost;
      --pending_;
      ++lost_;
      violation("message id soak" + std::to_string(c) + "-" + std::to_string(seq)
                + " got no answer within "
                + std::to_string(deadline.count()) + " ms");
      book.order.pop_front();
    }
  }
}

void ledger::violation(std::string what) {
  ++violation_count_;
  if (violations_.size() < 20)
    violations_.push_back(std::move(what));
}

} // namespace holobroker::soak
