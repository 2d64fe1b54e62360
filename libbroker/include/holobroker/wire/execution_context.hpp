#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace holobroker::wire {

/// What the real server does with `serverExecutionContext` (golden README §5,
/// §9): only the snake_case timeout keys arm timeouts; camelCase keys (the
/// struct defaults sent by HANDSHAKE and a bare SyncZMQClient) are ignored.
struct server_execution_context {
  std::optional<double> invokation_timeout; ///< seconds; nullopt = not armed
  std::optional<double> execution_timeout;  ///< seconds; nullopt = not armed
  bool oneway = false;

  friend bool operator==(const server_execution_context&,
                         const server_execution_context&) = default;
};

/// `thingExecutionContext`; only `fetch_execution_logs` is defined, and only
/// that snake_case key is honoured (the server pops it from the dict); the
/// camelCase `fetchExecutionLogs` of the struct defaults is ignored.
struct thing_execution_context {
  bool fetch_execution_logs = false;

  friend bool operator==(const thing_execution_context&,
                         const thing_execution_context&) = default;
};

/// The context ObjectProxy sends with operations:
/// `{"invokation_timeout":5.0,"execution_timeout":5.0}`.
server_execution_context default_operation_context();

/// Compact JSON with the keys the real server honours, e.g.
/// `{"invokation_timeout":5.0,"execution_timeout":5.0,"oneway":true}`
/// (`oneway` only when true, unset timeouts omitted).
std::string to_json(const server_execution_context& ctx);

/// `{"fetch_execution_logs":false}`.
std::string to_json(const thing_execution_context& ctx);

/// The literal struct-default contexts that real clients send with HANDSHAKE
/// and EXIT (golden README §11).
inline constexpr std::string_view handshake_server_context_json
  = R"({"invokationTimeout":5,"executionTimeout":5,"oneway":false})";
inline constexpr std::string_view handshake_thing_context_json
  = R"({"fetchExecutionLogs":false})";

} // namespace holobroker::wire
