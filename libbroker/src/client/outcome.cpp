#include "outcome.hpp"

#include <caf/make_message.hpp>

#include "holobroker/client/error.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/timeout.hpp"

namespace holobroker::client {

outcome to_outcome(const std::string& what, const client_config& cfg, wire::response& res) {
  const auto& id = res.header.message_id;
  switch (res.header.type) {
    case wire::message_type::reply: {
      operation_reply reply;
      reply.message_id = id;
      reply.payload = std::move(res.payload);
      reply.preserialized = std::move(res.preserialized);
      reply.payload_content_type = std::move(res.header.payload_content_type);
      reply.preencoded_payload_content_type
        = std::move(res.header.preencoded_payload_content_type);
      return reply;
    }
    case wire::message_type::exception:
    case wire::message_type::invalid_message: {
      auto code = res.header.type == wire::message_type::exception
                    ? client_errc::remote_exception
                    : client_errc::invalid_message;
      auto ex = wire::parse_remote_exception(res.payload.view());
      if (!ex)
        return make_error(client_errc::bad_response,
                          what + " (message id " + id + "): "
                            + std::string{to_string(res.header.type)}
                            + " with an unreadable payload: " + ex.error().to_string());
      auto text = what + " on server '" + cfg.server_id + "' (message id " + id + ") raised "
                  + ex->type + ": " + ex->message;
      return make_error(code, std::move(text), std::move(*ex));
    }
    default: { // timeout
      auto kind = wire::parse_timeout_payload(res.payload.view());
      if (!kind)
        return make_error(client_errc::bad_response,
                          what + " (message id " + id + "): TIMEOUT with an unreadable payload: "
                            + kind.error().to_string());
      auto name = std::string{wire::to_string(*kind)};
      auto text = what + " on server '" + cfg.server_id + "' (message id " + id + "): " + name
                  + " timeout";
      return caf::error{static_cast<uint8_t>(client_errc::server_timeout), error_category,
                        caf::make_message(std::move(text), std::move(name))};
    }
  }
}

} // namespace holobroker::client
