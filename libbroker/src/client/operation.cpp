#include "holobroker/client/operation.hpp"

#include "holobroker/wire/requests.hpp"

namespace holobroker::client {

namespace {

operation_request make(std::string thing_id, std::string objekt, std::string_view operation,
                       wire::shared_bytes payload) {
  operation_request req;
  req.thing_id = std::move(thing_id);
  req.objekt = std::move(objekt);
  req.operation = std::string{operation};
  req.payload = std::move(payload);
  return req;
}

} // namespace

operation_request read_property(std::string thing_id, std::string name) {
  return make(std::move(thing_id), std::move(name), wire::op::read_property,
              wire::null_payload());
}

operation_request write_property(std::string thing_id, std::string name,
                                 wire::shared_bytes value_json) {
  return make(std::move(thing_id), std::move(name), wire::op::write_property,
              std::move(value_json));
}

operation_request invoke_action(std::string thing_id, std::string name,
                                wire::shared_bytes kwargs_json) {
  return make(std::move(thing_id), std::move(name), wire::op::invoke_action,
              std::move(kwargs_json));
}

} // namespace holobroker::client
