#pragma once

// The declaration of a simulated Thing: properties, actions and events, as
// read from YAML (or taken from a built-in template such as "spectrometer").

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fault.hpp"
#include "property_spec.hpp"

namespace holobroker::sim {

/// What an action does; each kind is one small behaviour in actions.cpp.
enum class action_kind {
  echo,       ///< returns its kwargs (or its single positional arg, or request bytes)
  echo_value, ///< returns its `value` argument (hololinked TestThing's action_echo)
  constant,   ///< returns `options.result`
  bytes,      ///< returns bytes (preserialized frame): `options.data` or `size` bytes
  mixed,      ///< returns (`options.data` as JSON string, same bytes)
  sleep,      ///< takes `seconds` (default `options.seconds`) of execution time
  fail,       ///< raises `options.error_type` (default ValueError)
  store,      ///< validates `value` against property `options.target` and writes it
  acquire,    ///< spectrometer: returns a spectrum, takes integration time
  move_to,    ///< motor: starts a move of `options.target` (default "position")
  home,       ///< motor: move to 0
  stop,       ///< motor: stops a move
};

std::optional<action_kind> parse_action_kind(std::string_view text);

struct action_spec {
  std::string name;
  action_kind kind = action_kind::constant;
  std::string description;
  nlohmann::json options = nlohmann::json::object(); ///< kind-specific settings
  nlohmann::json input;                              ///< JSON schema for the TD (optional)
};

/// What an event publishes.
enum class event_kind {
  constant,    ///< `options.payload`
  measurement, ///< a spectrum from the Thing's `wavelengths` property
  counter,     ///< an increasing integer
};

std::optional<event_kind> parse_event_kind(std::string_view text);

struct event_spec {
  std::string name;
  event_kind kind = event_kind::constant;
  std::string description;
  double period_s = 0; ///< published every period_s seconds; 0 = only on demand
  nlohmann::json options = nlohmann::json::object();
};

struct thing_spec {
  std::string id;
  std::string title;
  std::string description;
  std::vector<property_spec> properties;
  std::vector<action_spec> actions;
  std::vector<event_spec> events;
  std::vector<fault_spec> faults; ///< active from start
};

} // namespace holobroker::sim
