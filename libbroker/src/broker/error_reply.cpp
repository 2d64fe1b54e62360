#include "holobroker/broker/error_reply.hpp"

#include "holobroker/client/error.hpp"
#include "holobroker/wire/server_rules.hpp"
#include "holobroker/wire/timeout.hpp"

namespace holobroker::broker {

using client::client_errc;

wire::remote_exception make_exception(std::string type, std::string message) {
  wire::remote_exception ex;
  ex.type = std::move(type);
  ex.message = std::move(message);
  ex.traceback = {"NoneType: None"};
  return ex;
}

wire::response exception_reply(wire::message_type type, const wire::request_header& req,
                               std::string_view broker_id, wire::remote_exception ex) {
  if (ex.traceback.empty())
    ex.traceback = {"NoneType: None"};
  return wire::make_response(type, req, broker_id,
                             wire::shared_bytes::from_string(wire::to_json(ex)));
}

namespace {

wire::response timeout_reply(const wire::request_header& req, std::string_view broker_id,
                             wire::timeout_kind kind) {
  return wire::make_response(wire::message_type::timeout, req, broker_id,
                             wire::shared_bytes::from_string(wire::to_json(kind)));
}

/// The Python exception type a hololinked client should raise for a broker error.
std::string python_type_of(client_errc code) {
  switch (code) {
    case client_errc::connection: return "ConnectionError";
    case client_errc::disconnected: return "ConnectionAbortedError";
    case client_errc::closed: return "ConnectionAbortedError";
    case client_errc::busy: return "BlockingIOError";
    case client_errc::bad_request: return "ValueError";
    case client_errc::bad_response: return "ValueError";
    case client_errc::unknown_message: return "KeyError";
    default: return "RuntimeError";
  }
}

} // namespace

wire::response error_reply(const caf::error& err, const wire::request_header& req,
                           std::string_view broker_id) {
  auto code = client::client_errc_of(err);
  if (!code)
    return exception_reply(wire::message_type::exception, req, broker_id,
                           make_exception("RuntimeError",
                                          "holobroker: " + client::describe(err)));
  switch (*code) {
    case client_errc::remote_exception:
    case client_errc::invalid_message: {
      auto type = *code == client_errc::remote_exception ? wire::message_type::exception
                                                          : wire::message_type::invalid_message;
      if (auto ex = client::remote_exception_of(err))
        return exception_reply(type, req, broker_id, std::move(*ex));
      return exception_reply(type, req, broker_id,
                             make_exception("RuntimeError", client::describe(err)));
    }
    case client_errc::server_timeout:
      return timeout_reply(req, broker_id,
                           client::server_timeout_kind_of(err) == "invokation"
                             ? wire::timeout_kind::invokation
                             : wire::timeout_kind::execution);
    case client_errc::timeout:
      return timeout_reply(req, broker_id, wire::timeout_kind::execution);
    case client_errc::unknown_thing:
      return exception_reply(wire::message_type::invalid_message, req, broker_id,
                             make_exception("KeyError", wire::unknown_thing_message(req.thing_id)));
    default:
      return exception_reply(wire::message_type::exception, req, broker_id,
                             make_exception(python_type_of(*code),
                                            "holobroker: " + client::describe(err)));
  }
}

} // namespace holobroker::broker
