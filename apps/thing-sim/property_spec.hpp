#pragma once

// The declaration of one simulated property: its JSON type, initial value and
// constraints, as written in the YAML configuration.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "remote_error.hpp"

namespace holobroker::sim {

enum class value_type { number, integer, string, boolean, array, object, any };

/// "number", "integer", "string", "boolean" (or "bool"), "array" (or "list"),
/// "object", "any"; nullopt for anything else.
std::optional<value_type> parse_value_type(std::string_view text);

/// The JSON-schema spelling used in Thing Descriptions.
std::string_view schema_name(value_type type);

struct property_spec {
  std::string name;
  value_type type = value_type::any;
  nlohmann::json initial; ///< initial value (null when not given)
  std::string description;
  bool read_only = false;
  bool observable = false;
  bool nullable = false;
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::optional<std::string> pattern; ///< ECMAScript regex a string must match

  /// Checks `value` against type and constraints: TypeError / ValueError in
  /// the words hololinked uses for parameter validation.
  std::optional<remote_error> validate(const nlohmann::json& value) const;
};

} // namespace holobroker::sim
