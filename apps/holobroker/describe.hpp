#pragma once

// `holobroker describe THING`: what a Thing offers, from its Thing
// Description (hololinked's `get_thing_description` action): properties
// with type, read-only and observable; actions with their input schema;
// events with their data schema.

#include <string>

#include <nlohmann/json.hpp>

namespace holobroker::cli {

/// The keyword arguments of hololinked's TD fetch (as ObjectProxy sends them).
std::string thing_description_kwargs(const std::string& protocol);

/// {"id","title","description",
///  "properties":[{"name","type","read_only","observable","description"}],
///  "actions":[{"name","input","description"}],
///  "events":[{"name","data","description"}]}   (each list sorted by name)
nlohmann::json describe_json(const nlohmann::json& td);

/// The same as aligned tables for a terminal.
std::string describe_table(const nlohmann::json& td);

/// A JSON schema in a line: `number`, `integer|null`,
/// `{averages: integer, label: string}`, `array of number`.
std::string schema_summary(const nlohmann::json& schema);

} // namespace holobroker::cli
