// holobroker: command-line client for hololinked Things.
//
//   holobroker [--timeout S] [--invokation-timeout S] [--execution-timeout S]
//              [--broker ADDRESS] [--broker-id ID] | [--direct ADDRESS --server-id ID]
//              COMMAND
//   COMMAND: read THING PROPERTY | write THING PROPERTY JSON
//          | invoke THING ACTION [JSON_OBJECT] | subscribe THING EVENT [--count N]
//          | describe THING [--json]
//          | things | status | watch [--interval S] [--count N]   (broker only)
//          | keygen NAME [--dir DIR]             (CURVE key pair files)
//   JSON arguments may be @FILE or - (standard input), as in curl.
//   CURVE to the broker's CURVE front end: --curve-server-key SERVER.pub --curve-key MINE.key
//   Events elsewhere than hololinked's convention (port + 1): --events ADDRESS
//
// The broker's front end speaks hololinked's server side with the broker id
// as server id, so broker mode is direct mode aimed at the broker; `things`
// and `status` are actions of the broker itself (thingID = broker id).
//
// Results go to stdout as JSON, errors to stderr with a non-zero exit code
// (see command.hpp). The command layer (command.cpp) only sees
// thing_access; direct mode (direct_access.cpp) reaches the server itself.

#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include "command.hpp"
#include "direct_access.hpp"
#include "payload_argument.hpp"
#include "watch.hpp"
#include "event_queue.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/security/curve_keys.hpp"
#include "holobroker/wire/address.hpp"
#include "holobroker/transport/zmq_transport.hpp"

using namespace holobroker;

namespace {

std::optional<caf::timespan> seconds(std::optional<double> s) {
  if (!s)
    return std::nullopt;
  return std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>{*s});
}

/// SIGINT/SIGTERM are blocked in every thread and taken by one thread with
/// sigwait: a subscription ends cleanly, anything else exits at once.
void start_signal_thread(std::shared_ptr<cli::event_queue> events, bool graceful) {
  std::thread{[events, graceful] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    if (sigwait(&set, &sig) != 0)
      return;
    if (!graceful)
      std::_Exit(128 + sig);
    events->stop();
  }}.detach();
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"holobroker: talk to hololinked Things"};
  app.require_subcommand(1);
  app.fallthrough(); // global options may also follow the command
  std::optional<double> timeout, invokation_timeout, execution_timeout;
  std::string direct, server_id, temp_dir, client_id, log_level = "error";
  std::string broker = "IPC", broker_id = "holobroker";
  app.add_option("--timeout", timeout, "client-side deadline in seconds")
    ->check(CLI::PositiveNumber);
  app.add_option("--invokation-timeout", invokation_timeout,
                 "server-side invokation timeout in seconds (default 5)")
    ->check(CLI::PositiveNumber);
  app.add_option("--execution-timeout", execution_timeout,
                 "server-side execution timeout in seconds (default 5)")
    ->check(CLI::PositiveNumber);
  app.add_option("--broker", broker,
                 "the daemon's front end: IPC (default), ipc://PATH or tcp://HOST:PORT");
  app.add_option("--broker-id", broker_id, "the daemon's broker id (default holobroker)");
  auto* direct_opt = app.add_option(
    "--direct", direct, "bypass the daemon: talk to a server at IPC, ipc://PATH or tcp://HOST:PORT");
  app.add_option("--server-id", server_id, "the server's id (with --direct)")->needs(direct_opt);
  direct_opt->excludes("--broker")->excludes("--broker-id");
  std::string events_address;
  app.add_option("--events", events_address,
                 "where the events are, when not where hololinked's convention puts them "
                 "(TCP: the port above; IPC: beside the request socket): tcp://HOST:PORT or "
                 "ipc://PATH, e.g. a broker's security.curve.event_tcp");
  app.add_option("--temp-dir", temp_dir, "hololinked's TEMP_DIR for IPC (default ~/.hololinked)");
  app.add_option("--client-id", client_id, "our routing id (default generated)");
  std::string curve_server_key, curve_key;
  auto* curve_server_opt = app.add_option(
    "--curve-server-key", curve_server_key,
    "speak CURVE: the broker's public key file (security.curve.server_key's .pub)");
  auto* curve_key_opt
    = app.add_option("--curve-key", curve_key, "our CURVE key pair file (holobroker keygen)");
  curve_server_opt->needs(curve_key_opt);
  curve_key_opt->needs(curve_server_opt);
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  bool pretty = false;
  app.add_flag("--pretty", pretty, "indent JSON output");

  cli::command cmd;
  std::string thing, name, json;
  std::optional<std::size_t> count;
  auto* read = app.add_subcommand("read", "read a property");
  read->add_option("THING", cmd.thing)->required();
  read->add_option("PROPERTY", cmd.name)->required();
  auto* write = app.add_subcommand("write", "write a property");
  write->add_option("THING", cmd.thing)->required();
  write->add_option("PROPERTY", cmd.name)->required();
  write->add_option("JSON", cmd.json, "the new value as JSON, @FILE or - (standard input)")
    ->required();
  auto* invoke = app.add_subcommand("invoke", "invoke an action");
  invoke->add_option("THING", cmd.thing)->required();
  invoke->add_option("ACTION", cmd.name)->required();
  invoke->add_option("JSON", cmd.json,
                     "keyword arguments as a JSON object (default {}), @FILE or - (standard "
                     "input)");
  auto* subscribe = app.add_subcommand("subscribe", "print events as they arrive");
  subscribe->add_option("THING", cmd.thing)->required();
  subscribe->add_option("EVENT", cmd.name)->required();
  subscribe->add_option("--count", count, "stop after N events")->check(CLI::PositiveNumber);
  auto* things = app.add_subcommand("things", "the broker's Things and their connection state");
  auto* status = app.add_subcommand("status", "the broker's per-Thing state, counters, latency");
  auto* describe = app.add_subcommand(
    "describe", "a Thing's properties, actions and events from its Thing Description");
  describe->add_option("THING", cmd.thing)->required();
  describe->add_flag("--json", cmd.json_output, "JSON instead of tables");
  cli::watch_options watch_opt;
  double interval = 2.0;
  auto* watch = app.add_subcommand("watch", "the broker's status as a live table (like top)");
  watch->add_option("--interval", interval, "seconds between refreshes (default 2)")
    ->check(CLI::PositiveNumber);
  watch->add_option("--count", watch_opt.iterations, "stop after N refreshes")
    ->check(CLI::PositiveNumber);
  std::string key_name, key_dir = ".";
  auto* keygen = app.add_subcommand(
    "keygen", "write a CURVE key pair NAME.key (secret, 0600) and NAME.pub into --dir");
  keygen->add_option("NAME", key_name, "the principal name (policy: principal: {key: NAME})")
    ->required();
  keygen->add_option("--dir", key_dir, "where to write the files (default .)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto rc = app.exit(e);
    return rc == 0 ? 0 : cli::exit_usage;
  }
  if (keygen->parsed()) {
    auto keys = security::generate_keypair();
    if (!keys) {
      std::cerr << "holobroker: keygen: " << keys.error() << '\n';
      return cli::exit_failure;
    }
    auto paths = security::write_key_files(key_dir, key_name, *keys);
    if (!paths) {
      std::cerr << "holobroker: keygen: " << paths.error() << '\n';
      return cli::exit_failure;
    }
    std::cout << paths->first << '\n' << paths->second << '\n';
    return 0;
  }
  std::optional<transport::curve_client_keys> curve;
  if (!curve_key.empty()) {
    auto server = security::read_key_file(curve_server_key, false);
    auto mine = security::read_key_file(curve_key, true);
    if (!server || !mine) {
      std::cerr << "holobroker: " << (server ? mine.error() : server.error()) << '\n';
      return cli::exit_usage;
    }
    curve = transport::curve_client_keys{server->public_key, mine->public_key, mine->secret_key};
  }
  bool direct_mode = !direct.empty();
  if (direct_mode && server_id.empty()) {
    std::cerr << "holobroker: --direct needs --server-id\n";
    return cli::exit_usage;
  }
  if (!direct_mode) {
    direct = broker;
    server_id = broker_id;
  }
  cmd.kind = read->parsed()        ? cli::command_kind::read
             : write->parsed()     ? cli::command_kind::write
             : subscribe->parsed() ? cli::command_kind::subscribe
             : describe->parsed()  ? cli::command_kind::describe
                                   : cli::command_kind::invoke;
  if (things->parsed() || status->parsed() || watch->parsed()) {
    if (direct_mode) {
      std::cerr << "holobroker: '"
                << (things->parsed() ? "things" : status->parsed() ? "status" : "watch")
                << "' asks the broker; it cannot be used with --direct\n";
      return cli::exit_usage;
    }
    cmd.thing = broker_id;
    cmd.name = things->parsed() ? "things" : "status";
  }
  if (write->parsed() || (invoke->parsed() && !cmd.json.empty())) {
    auto payload = cli::read_payload_argument(cmd.json, std::cin);
    if (!payload) {
      std::cerr << "holobroker: " << payload.error() << '\n';
      return cli::exit_usage;
    }
    cmd.json = std::move(*payload);
  }
  cmd.pretty = pretty;
  cmd.protocol = direct.rfind("tcp://", 0) == 0      ? "TCP"
                 : direct.rfind("inproc://", 0) == 0 ? "INPROC"
                                                     : "IPC";
  cmd.count = count;
  cmd.timeout = seconds(timeout);
  cmd.server_context.invokation_timeout = invokation_timeout.value_or(5.0);
  cmd.server_context.execution_timeout = execution_timeout.value_or(5.0);

  // Logs go to stderr: stdout carries only results.
  auto logger = spdlog::stderr_color_mt("holobroker");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(log_level));

  auto endpoints = wire::resolve_endpoints(direct, server_id, temp_dir);
  if (!endpoints) {
    std::cerr << "holobroker: " << endpoints.error() << '\n';
    return cli::exit_usage;
  }
  if (!events_address.empty()) {
    // The one address grammar, and only what names a place to connect to.
    auto kind = wire::parse_address(events_address);
    if (!kind || (*kind != wire::address_kind::tcp && *kind != wire::address_kind::ipc_path)) {
      std::cerr << "holobroker: --events: "
                << (kind ? std::string{"must be tcp://HOST:PORT or ipc://PATH"} : kind.error())
                << '\n';
      return cli::exit_usage;
    }
    endpoints->event_address = events_address;
  }

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  auto events = std::make_shared<cli::event_queue>();
  start_signal_thread(events, cmd.kind == cli::command_kind::subscribe);

  client::client_config cfg;
  cfg.client_id = client_id;
  cfg.server_id = server_id;
  cfg.address = endpoints->request_address;
  if (cmd.timeout)
    cfg.handshake_timeout = std::min(cfg.handshake_timeout, *cmd.timeout);

  auto transports = transport::make_zmq_transport_factory(nullptr, nullptr, curve);
  caf::actor_system_config sys_cfg;
  sys_cfg.set("logger.file-verbosity", caf::atom("quiet"));
  sys_cfg.set("logger.console-verbosity", caf::atom("quiet"));
  sys_cfg.set("scheduler.policy", caf::atom("sharing")); // no idle napping loops
  client::add_message_types(sys_cfg);
  caf::actor_system sys{sys_cfg};
  int rc = 0;
  {
    cli::direct_access access{sys, cfg, endpoints->event_address, transports, events,
                              !direct_mode};
    if (watch->parsed()) {
      watch_opt.interval = std::chrono::duration<double>{interval};
      watch_opt.clear_screen = ::isatty(STDOUT_FILENO) == 1;
      rc = cli::run_watch(cmd, watch_opt, access, std::cout, std::cerr);
    } else {
      rc = cli::run_command(cmd, access, std::cout, std::cerr);
    }
  }
  std::cout.flush();
  return rc;
}
