#pragma once

// The audit trail: every write and invoke, every denied request and every
// connection the ZAP handler refuses, as one record with principal, Thing,
// operation, message id and outcome. Records go to their own spdlog logger
// ("audit", lines `audit: principal="uid 1000 (gid 1000)" thing=… …`) so
// they can be routed apart; holobrokerd under journald replaces the writer
// with one that sends them as journal fields (HOLOBROKER_AUDIT=1,
// HOLOBROKER_PRINCIPAL=…), which `journalctl HOLOBROKER_AUDIT=1` selects.
// Thread-safe: the front end actor and the ZAP thread both write.

#include <functional>
#include <memory>
#include <string>

namespace spdlog {
class logger;
} // namespace spdlog

namespace holobroker::security {

struct audit_record {
  std::string principal;  ///< principal::describe()
  std::string thing;      ///< empty for connections
  std::string operation;  ///< read, write, invoke, subscribe, introspect, connect
  std::string objekt;     ///< property or action
  std::string message_id; ///< the client's message id
  std::string outcome;    ///< denied, reply, exception, timeout, error, refused
  std::string detail;     ///< why (the rule, the error, the address)
};

/// `principal="…" thing=… operation=… objekt=… message_id=… outcome=… detail="…"`
std::string to_line(const audit_record& r);

using audit_writer = std::function<void(const audit_record&)>;

/// Writes one record with the current writer.
void audit(const audit_record& r);

/// Replaces the writer (null restores the default: the "audit" logger).
void set_audit_writer(audit_writer w);

/// The "audit" spdlog logger the default writer uses; created on first use
/// with the default logger's sinks.
std::shared_ptr<spdlog::logger> audit_logger();

} // namespace holobroker::security
