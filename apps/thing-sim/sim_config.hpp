#pragma once

// thing-sim's configuration: which servers host which Things, on which
// transports. Read from YAML (see README.md for the schema), from the
// built-in default fleet, or generated for fleet benchmarks.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "holobroker/expected.hpp"
#include "thing_spec.hpp"

namespace holobroker::sim {

struct server_spec {
  std::string id; ///< server id = ROUTER routing id
  std::vector<thing_spec> things;
};

struct sim_config {
  std::vector<server_spec> servers;
  std::string temp_dir;           ///< IPC base dir; empty = $HOME/.hololinked
  bool ipc = true;                ///< listen on IPC
  std::optional<std::string> tcp; ///< "host:port" to also listen on TCP (port 0 = any)
  std::string log_level = "info";
  unsigned seed = 1;              ///< random seed for jitter/drop/garbage faults
};

template <class T>
using config_result = expected<T, std::string>;

/// The default fleet: server `thing-sim` with Things `spectrometer` and `motor`.
sim_config default_config();

/// `servers` servers `sim-<i>` with `things` Things `thing-<i>-<j>` each
/// (spectrometers), for fleet benchmarks; i counts from `first_server`, so
/// that several processes can serve one fleet (as hololinked servers are
/// processes of their own).
std::vector<server_spec> generated_fleet(int servers, int things, int first_server = 0);

/// A built-in Thing model ("spectrometer", "motor") under the id `id`.
config_result<thing_spec> template_thing(std::string_view name, std::string_view id);

/// Parses a YAML configuration with the strict reader the daemon's config
/// uses (holobroker::yaml::strict_reader): unknown keys and mistyped values
/// are refused as `file:line:column: key: what is wrong`; `file` names the
/// document. Free-form values (defaults, options, inputs, payloads) become
/// JSON: plain scalars read as bool/null/numbers where they can, quoted ones
/// stay strings.
config_result<sim_config> parse_config(std::string_view yaml_text,
                                       std::string_view file = "<config>");

/// Reads a YAML file with parse_config; errors name the file.
config_result<sim_config> load_config_file(const std::string& path);

/// Checks ids are unique and non-empty; names the offending entry.
std::optional<std::string> validate(const sim_config& cfg);

} // namespace holobroker::sim
