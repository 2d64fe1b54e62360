#include "holobroker/security/audit.hpp"

#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace holobroker::security {

namespace {

std::mutex writer_mutex;
audit_writer current_writer;

/// A value as key=value wants it: quoted when it has spaces, quotes or is empty.
std::string quoted(const std::string& v) {
  bool plain = !v.empty();
  for (char c : v)
    plain = plain && c != ' ' && c != '"' && c != '\\' && c != '=' && c > 0x20 && c < 0x7f;
  if (plain)
    return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  return out + "\"";
}

} // namespace

std::string to_line(const audit_record& r) {
  return fmt::format("principal={} thing={} operation={} objekt={} message_id={} outcome={} "
                     "detail={}",
                     quoted(r.principal), quoted(r.thing), quoted(r.operation), quoted(r.objekt),
                     quoted(r.message_id), quoted(r.outcome), quoted(r.detail));
}

std::shared_ptr<spdlog::logger> audit_logger() {
  static std::mutex create;
  std::lock_guard<std::mutex> guard{create};
  if (auto existing = spdlog::get("audit"))
    return existing;
  auto def = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("audit", def->sinks().begin(),
                                                 def->sinks().end());
  logger->set_level(spdlog::level::info);
  spdlog::register_logger(logger);
  return logger;
}

void audit(const audit_record& r) {
  std::lock_guard<std::mutex> guard{writer_mutex};
  if (current_writer) {
    current_writer(r);
    return;
  }
  auto level = r.outcome == "denied" || r.outcome == "refused" ? spdlog::level::warn
                                                               : spdlog::level::info;
  audit_logger()->log(level, "audit: {}", to_line(r));
}

void set_audit_writer(audit_writer w) {
  std::lock_guard<std::mutex> guard{writer_mutex};
  current_writer = std::move(w);
}

} // namespace holobroker::security
