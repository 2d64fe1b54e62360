#include "holobroker/wire/message_type.hpp"

namespace holobroker::wire {

std::string_view to_string(message_type type) noexcept {
  switch (type) {
    case message_type::handshake: return "HANDSHAKE";
    case message_type::operation: return "OPERATION";
    case message_type::exit: return "EXIT";
    case message_type::reply: return "REPLY";
    case message_type::exception: return "EXCEPTION";
    case message_type::invalid_message: return "INVALID_MESSAGE";
    case message_type::timeout: return "TIMEOUT";
    case message_type::event: return "EVENT";
  }
  return "OPERATION";
}

std::optional<message_type> parse_message_type(std::string_view text) noexcept {
  static constexpr message_type all[] = {
    message_type::handshake, message_type::operation, message_type::exit,
    message_type::reply,     message_type::exception, message_type::invalid_message,
    message_type::timeout,   message_type::event,
  };
  for (auto type : all)
    if (to_string(type) == text)
      return type;
  return std::nullopt;
}

} // namespace holobroker::wire
