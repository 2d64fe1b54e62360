#include "command_line.hpp"

#include <CLI/CLI.hpp>

namespace holobroker::daemon {

std::optional<int> parse_command_line(int argc, char** argv, command_line& out) {
  CLI::App app{"holobrokerd - brokers requests and events between programs and a fleet of "
               "hololinked Things"};
  app.add_option("-c,--config", out.config_file, "YAML configuration file")
    ->check(CLI::ExistingFile);
  app.add_flag("-t,--check-config", out.check_config,
               "validate the configuration and exit (0 = valid)");
  app.add_option_function<std::string>(
       "--log-level", [&](const std::string& level) { out.log_level = level; },
       "override broker.logging.level")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_flag("-V,--version", out.version, "print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& err) {
    return app.exit(err);
  }
  if (!out.version && out.config_file.empty()) {
    std::fprintf(stderr, "holobrokerd: --config FILE is required\nRun with --help for more "
                         "information.\n");
    return 2;
  }
  return std::nullopt;
}

} // namespace holobroker::daemon
