#pragma once

// Which Things share one connection to their server, and what they must
// agree on: one definition for the configuration's check and for the fleet,
// which opens the connections.

#include <optional>
#include <string>
#include <string_view>

#include "holobroker/config/broker_config.hpp"
#include "holobroker/expected.hpp"

namespace holobroker::config {

/// Things with equal keys share one connection: one ROUTER identity (the
/// client id) towards one server at one request address, resolved under
/// `temp_dir` (so "IPC" and the path it stands for are the same address; a
/// second socket with the same identity would be refused by the server's
/// ROUTER). The error says why the address does not resolve.
expected<std::string, std::string> shared_connection_key(const thing_config& thing,
                                                         std::string_view temp_dir);

/// The first setting of the connection itself (not of one Thing) on which
/// `a` and `b` differ, by its configuration key; nullopt when they agree.
std::optional<std::string_view> connection_setting_mismatch(const thing_config& a,
                                                            const thing_config& b);

} // namespace holobroker::config
