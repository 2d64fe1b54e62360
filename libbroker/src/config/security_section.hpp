#pragma once

// Reader of the `security` and `limits` sections, used by broker_config.cpp.
// Errors are thrown as yaml::located_error (file, line, column and key);
// parse_config turns them into a config_error.

#include <string_view>

#include <yaml-cpp/yaml.h>

#include "holobroker/config/broker_config.hpp"

namespace holobroker::config::detail {

/// Both note where each key is in `source` (config_source::recorder).
security_config read_security(const YAML::Node& node, std::string_view file,
                              config_source& source);
limits_config read_limits(const YAML::Node& node, std::string_view file, config_source& source);

} // namespace holobroker::config::detail
