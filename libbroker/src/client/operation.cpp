#include "holobroker/client/operation.hpp"

#include "holobroker/wire/requests.hpp"

namespace holobroker::client {

operation_request read_property(std::string thing_id, std::string name) {
  operation_request req;
  req.thing_id = std::move(thing_id);
  req.objekt = std::move(name);
  req.operation = std::string{wire::op::read_property};
  return req;
}

operation_request write_property(std::string thing_id, std::string name,
                                 wire::shared_bytes value_json) {
  operation_request req;
  req.thing_id = std::move(thing_id);
  req.objekt = std::move(name);
  req.operation = std::string{wire::op::write_property};
  req.payload = std::move(value_json);
  return req;
}

operation_request invoke_action(std::string thing_id, std::string name,
                                wire::shared_bytes kwargs_json) {
  operation_request req;
  req.thing_id = std::move(thing_id);
  req.objekt = std::move(name);
  req.operation = std::string{wire::op::invoke_action};
  req.payload = std::move(kwargs_json);
  return req;
}

} // namespace holobroker::client
