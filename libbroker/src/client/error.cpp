#include "holobroker/client/error.hpp"

#include <caf/message.hpp>

#include "holobroker/client/type_ids.hpp"

namespace holobroker::client {

std::string_view to_string(client_errc code) noexcept {
  switch (code) {
    case client_errc::connection: return "connection";
    case client_errc::disconnected: return "disconnected";
    case client_errc::timeout: return "timeout";
    case client_errc::remote_exception: return "remote_exception";
    case client_errc::invalid_message: return "invalid_message";
    case client_errc::server_timeout: return "server_timeout";
    case client_errc::busy: return "busy";
    case client_errc::unknown_thing: return "unknown_thing";
    case client_errc::bad_request: return "bad_request";
    case client_errc::bad_response: return "bad_response";
    case client_errc::closed: return "closed";
    case client_errc::unknown_message: return "unknown_message";
  }
  return "unknown";
}

caf::error make_error(client_errc code, std::string what) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(what))};
}

caf::error make_error(client_errc code, std::string what, wire::remote_exception ex) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(what), std::move(ex))};
}

std::optional<client_errc> client_errc_of(const caf::error& err) noexcept {
  if (!err || err.category() != error_category)
    return std::nullopt;
  return static_cast<client_errc>(err.code());
}

std::optional<wire::remote_exception> remote_exception_of(const caf::error& err) {
  if (!client_errc_of(err))
    return std::nullopt;
  const auto& ctx = err.context();
  if (ctx.size() == 2 && ctx.match_element<wire::remote_exception>(1))
    return ctx.get_as<wire::remote_exception>(1);
  return std::nullopt;
}

std::string server_timeout_kind_of(const caf::error& err) {
  if (client_errc_of(err) != client_errc::server_timeout)
    return {};
  const auto& ctx = err.context();
  if (ctx.size() == 2 && ctx.match_element<std::string>(1))
    return ctx.get_as<std::string>(1);
  return {};
}

namespace {

std::string description_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (!ctx.empty() && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

} // namespace

std::string describe(const caf::error& err) {
  auto code = client_errc_of(err);
  if (!code)
    return caf::to_string(err);
  std::string out{to_string(*code)};
  if (auto ex = remote_exception_of(err)) {
    out += ": ";
    out += ex->type;
    out += ": ";
    out += ex->message;
    return out;
  }
  auto what = description_of(err);
  if (!what.empty()) {
    out += ": ";
    out += what;
  }
  return out;
}

} // namespace holobroker::client
