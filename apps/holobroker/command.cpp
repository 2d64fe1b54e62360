#include "command.hpp"

#include <ostream>

#include <nlohmann/json.hpp>

#include "holobroker/client/error.hpp"
#include "describe.hpp"
#include "holobroker/wire/requests.hpp"
#include "json_output.hpp"

namespace holobroker::cli {

namespace {

int exit_code_for(const caf::error& err) {
  auto code = client::client_errc_of(err);
  if (!code)
    return exit_failure;
  switch (*code) {
    case client::client_errc::connection:
    case client::client_errc::disconnected:
      return exit_unreachable;
    case client::client_errc::timeout:
    case client::client_errc::server_timeout:
      return exit_timeout;
    case client::client_errc::remote_exception:
    case client::client_errc::invalid_message:
      return exit_remote_error;
    case client::client_errc::bad_request:
      return exit_usage;
    default:
      return exit_failure;
  }
}

int fail(std::ostream& err, const caf::error& e) {
  err << "holobroker: " << client::describe(e) << '\n';
  return exit_code_for(e);
}

/// Validates a JSON argument; an error names the argument and the problem.
std::optional<std::string> check_json(const std::string& text, const char* what,
                                      bool must_be_object, std::ostream& err) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    err << "holobroker: " << what << " is not valid JSON: " << text << '\n';
    return std::nullopt;
  }
  if (must_be_object && !parsed.is_object()) {
    err << "holobroker: " << what << " must be a JSON object, got: " << text << '\n';
    return std::nullopt;
  }
  return text;
}

/// A result as printed: compact, or indented with --pretty.
std::string printed(const command& cmd, const std::string& json_text) {
  if (!cmd.pretty)
    return json_text;
  auto parsed = nlohmann::json::parse(json_text, nullptr, false);
  return parsed.is_discarded() ? json_text : parsed.dump(2);
}

} // namespace

int run_command(const command& cmd, thing_access& access, std::ostream& out, std::ostream& err) {
  client::operation_request req;
  req.thing_id = cmd.thing;
  req.objekt = cmd.name;
  req.options.server_context = cmd.server_context;
  req.options.deadline = cmd.timeout;
  switch (cmd.kind) {
    case command_kind::read:
      req.operation = std::string{wire::op::read_property};
      break;
    case command_kind::write: {
      auto value = check_json(cmd.json, "the value to write", false, err);
      if (!value)
        return exit_usage;
      req.operation = std::string{wire::op::write_property};
      req.payload = wire::shared_bytes::from_string(*value);
      break;
    }
    case command_kind::invoke: {
      auto kwargs = check_json(cmd.json.empty() ? "{}" : cmd.json,
                               "the action's keyword arguments", true, err);
      if (!kwargs)
        return exit_usage;
      req.operation = std::string{wire::op::invoke_action};
      req.payload = wire::shared_bytes::from_string(*kwargs);
      break;
    }
    case command_kind::describe:
      req.operation = std::string{wire::op::invoke_action};
      req.objekt = "get_thing_description";
      req.payload = wire::shared_bytes::from_string(thing_description_kwargs(cmd.protocol));
      break;
    case command_kind::subscribe: {
      std::size_t seen = 0;
      auto e = access.subscribe(
        cmd.thing, cmd.name,
        [&](const wire::event& ev) {
          out << printed(cmd, result_json(ev.payload, ev.preserialized,
                                          ev.header.payload_content_type))
              << '\n' << std::flush;
          return !cmd.count || ++seen < *cmd.count;
        },
        cmd.timeout);
      if (e)
        return fail(err, e);
      return exit_ok;
    }
  }
  auto res = access.execute(std::move(req));
  if (!res)
    return fail(err, res.error());
  if (cmd.kind == command_kind::describe) {
    auto td = nlohmann::json::parse(res->payload.view(), nullptr, false);
    if (td.is_discarded() || !td.is_object()) {
      err << "holobroker: " << cmd.thing << " answered get_thing_description with something "
          << "that is not a Thing Description\n";
      return exit_failure;
    }
    if (cmd.json_output)
      out << (cmd.pretty ? describe_json(td).dump(2) : describe_json(td).dump()) << '\n';
    else
      out << describe_table(td);
    return exit_ok;
  }
  out << printed(cmd, result_json(res->payload, res->preserialized, res->payload_content_type))
      << '\n';
  return exit_ok;
}

} // namespace holobroker::cli
