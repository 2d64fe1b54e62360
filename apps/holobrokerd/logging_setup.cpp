#include "logging_setup.hpp"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-journal.h>

#include "holobroker/security/audit.hpp"

namespace holobroker::daemon {

namespace {

// `%*` -> sd-daemon(3) priority prefix, so journald keeps log levels.
class journal_priority_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr const char* prefixes[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    auto level = static_cast<std::size_t>(msg.level);
    const char* prefix = level < std::size(prefixes) ? prefixes[level] : "<6>";
    dest.append(prefix, prefix + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<journal_priority_flag>();
  }
};

/// Audit records as journal entries with fields of their own, so that
/// `journalctl HOLOBROKER_AUDIT=1` ships them apart from the rest.
void journal_audit(const security::audit_record& r) {
  auto line = "audit: " + security::to_line(r);
  int priority = r.outcome == "denied" || r.outcome == "refused" ? 4 : 6;
  sd_journal_send("MESSAGE=%s", line.c_str(), "PRIORITY=%d", priority,
                  "SYSLOG_IDENTIFIER=holobrokerd", "HOLOBROKER_AUDIT=1",
                  "HOLOBROKER_PRINCIPAL=%s", r.principal.c_str(), "HOLOBROKER_THING=%s",
                  r.thing.c_str(), "HOLOBROKER_OPERATION=%s", r.operation.c_str(),
                  "HOLOBROKER_OBJEKT=%s", r.objekt.c_str(), "HOLOBROKER_MESSAGE_ID=%s",
                  r.message_id.c_str(), "HOLOBROKER_OUTCOME=%s", r.outcome.c_str(), nullptr);
}

} // namespace

expected<bool, std::string> setup_logging(const config::logging_config& cfg) {
  auto level = spdlog::level::from_str(cfg.level);
  if (level == spdlog::level::off && cfg.level != "off")
    return unexpected<std::string>{"unknown log level \"" + cfg.level + "\""};
  std::vector<spdlog::sink_ptr> sinks;
  auto err_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  if (journal) {
    // journald adds its own timestamps.
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<journal_priority_flag>('*').set_pattern("%*%v");
    err_sink->set_formatter(std::move(formatter));
  } else {
    err_sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  sinks.push_back(err_sink);
  if (!cfg.file.empty()) {
    try {
      auto file_sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        cfg.file, std::size_t{cfg.max_size_mb} * 1024 * 1024, cfg.max_files);
      file_sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
      sinks.push_back(file_sink);
    } catch (const spdlog::spdlog_ex& ex) {
      return unexpected<std::string>{"cannot open log file \"" + cfg.file + "\": " + ex.what()};
    }
  }
  // One default logger for the process's life, whose one sink forwards to
  // the configured ones: a reload swaps those under the sink's mutex and
  // sets the level (an atomic). Replacing the default logger instead
  // (spdlog::set_default_logger) while other threads log through
  // spdlog::info() is a use after free: they hold its raw pointer.
  static const auto dist = std::make_shared<spdlog::sinks::dist_sink_mt>();
  static std::once_flag installed;
  dist->set_sinks(std::move(sinks));
  std::call_once(installed, [] {
    auto logger = std::make_shared<spdlog::logger>("holobrokerd", dist);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
  });
  spdlog::default_logger_raw()->set_level(level);
  // The audit logger shares the default logger's sink, so it follows too.
  security::set_audit_writer(journal ? security::audit_writer{journal_audit} : nullptr);
  return true;
}

} // namespace holobroker::daemon
