#include "holobroker/wire/execution_context.hpp"

#include "json_text.hpp"

namespace holobroker::wire {

server_execution_context default_operation_context() {
  return server_execution_context{5.0, 5.0, false};
}

std::string to_json(const server_execution_context& ctx) {
  std::string out;
  out.reserve(72);
  out += '{';
  auto sep = [&] {
    if (out.size() > 1)
      out += ',';
  };
  if (ctx.invokation_timeout) {
    detail::append_key(out, "invokation_timeout");
    detail::append_json_double(out, *ctx.invokation_timeout);
  }
  if (ctx.execution_timeout) {
    sep();
    detail::append_key(out, "execution_timeout");
    detail::append_json_double(out, *ctx.execution_timeout);
  }
  if (ctx.oneway) {
    sep();
    out += R"("oneway":true)";
  }
  out += '}';
  return out;
}

std::string to_json(const thing_execution_context& ctx) {
  return ctx.fetch_execution_logs ? R"({"fetch_execution_logs":true})"
                                  : R"({"fetch_execution_logs":false})";
}

} // namespace holobroker::wire
