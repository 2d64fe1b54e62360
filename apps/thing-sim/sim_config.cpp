#include "sim_config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "fault.hpp"
#include "strict_yaml.hpp"

namespace holobroker::sim {

namespace {

using nlohmann::json;

// The built-in instrument models. Written as YAML so that they double as an
// example of the configuration schema.
constexpr std::string_view spectrometer_yaml = R"(
title: Spectrometer
description: Simulated spectrometer served by thing-sim
properties:
  - {name: integration_time, type: number, default: 10.0, minimum: 1, maximum: 10000,
     observable: true, description: Integration time in milliseconds}
  - {name: serial_number, type: string, default: "SIM-SPEC-0001", read_only: true,
     description: Serial number of the device}
  - {name: wavelengths, type: array, read_only: true, description: Wavelength of each pixel in nm,
     default: [400, 420, 440, 460, 480, 500, 520, 540, 560, 580, 600, 620, 640, 660, 680, 700]}
  - {name: settings, type: object, description: Acquisition settings,
     default: {trigger_mode: internal, averages: 1, dark_correction: false}}
  - {name: count, type: integer, default: 0, description: A free integer}
  - {name: enabled, type: boolean, default: true, description: Whether the device is enabled}
actions:
  - {name: acquire, kind: acquire, description: Acquires a spectrum (kwargs averages)}
  - {name: echo, kind: echo, description: Returns its arguments}
  - {name: raw_bytes, kind: bytes, options: {data: "raw spectrometer bytes"},
     description: Returns bytes in the preserialized frame (kwargs size)}
  - {name: sleep, kind: sleep, options: {seconds: 1.0}, description: Sleeps (kwargs seconds)}
  - {name: fail, kind: fail, options: {error_type: ValueError, message: simulated failure},
     description: Raises ValueError}
events:
  - {name: measurement, kind: measurement, period_s: 1.0, description: A new spectrum}
)";

constexpr std::string_view motor_yaml = R"(
title: Motor
description: Simulated linear motor served by thing-sim
properties:
  - {name: position, type: number, default: 0.0, minimum: -1000, maximum: 1000, observable: true,
     description: Position in mm}
  - {name: moving, type: boolean, default: false, read_only: true,
     description: Whether a move is in progress}
actions:
  - {name: move_to, kind: move_to, options: {speed: 100.0}, description: Moves to a position (kwargs position)}
  - {name: home, kind: home, options: {speed: 100.0}, description: Moves to 0}
  - {name: stop, kind: stop, description: Stops a move}
  - {name: echo, kind: echo, description: Returns its arguments}
  - {name: sleep, kind: sleep, options: {seconds: 1.0}, description: Sleeps (kwargs seconds)}
events: []
)";

json scalar_to_json(const YAML::Node& node) {
  const auto& s = node.Scalar();
  if (node.Tag() == "!") // quoted: always a string
    return s;
  if (s == "true" || s == "True" || s == "yes")
    return true;
  if (s == "false" || s == "False" || s == "no")
    return false;
  if (s.empty() || s == "~" || s == "null" || s == "Null")
    return nullptr;
  try {
    std::size_t used = 0;
    long long i = std::stoll(s, &used, 10);
    if (used == s.size())
      return i;
  } catch (const std::exception&) {
  }
  try {
    std::size_t used = 0;
    double d = std::stod(s, &used);
    if (used == s.size())
      return d;
  } catch (const std::exception&) {
  }
  return s;
}

json node_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      json arr = json::array();
      for (const auto& item : node)
        arr.push_back(node_to_json(item));
      return arr;
    }
    case YAML::NodeType::Map: {
      json obj = json::object();
      for (const auto& kv : node)
        obj[kv.first.as<std::string>()] = node_to_json(kv.second);
      return obj;
    }
  }
  return nullptr;
}

using yaml::located_error;
using yaml::strict_reader;

// Optional members: absent (or null) leaves `out` as it is.
void opt_string(const strict_reader& r, const YAML::Node& node, const std::string& where,
                std::string_view key, std::string& out) {
  auto v = node[std::string{key}];
  if (v && !v.IsNull())
    out = r.string(v, strict_reader::join(where, key));
}

void opt_bool(const strict_reader& r, const YAML::Node& node, const std::string& where,
              std::string_view key, bool& out) {
  if (auto v = node[std::string{key}])
    out = r.boolean(v, strict_reader::join(where, key));
}

void opt_number(const strict_reader& r, const YAML::Node& node, const std::string& where,
                std::string_view key, std::optional<double>& out) {
  if (auto v = node[std::string{key}])
    out = r.number(v, strict_reader::join(where, key));
}

std::string required_string(const strict_reader& r, const YAML::Node& node,
                            const std::string& where, std::string_view key) {
  auto v = node[std::string{key}];
  if (!v || v.IsNull())
    r.fail(node, where, fmt::format("missing \"{}\"", key));
  return r.string(v, strict_reader::join(where, key));
}

/// A name from a fixed set (a property's `type`, an action's or event's
/// `kind`), read with `parse`; `fallback` when absent, required when there is
/// none. An unknown name is refused listing the choices.
template <class Parse>
auto named_choice(const strict_reader& r, const YAML::Node& node, const std::string& where,
                  std::string_view key, std::optional<std::string> fallback, Parse parse,
                  std::string_view what, std::string_view choices) {
  std::string text = fallback ? *fallback : required_string(r, node, where, key);
  opt_string(r, node, where, key, text);
  auto value = parse(text);
  if (!value)
    r.fail(node[std::string{key}], strict_reader::join(where, key),
           fmt::format("unknown {} \"{}\" ({})", what, text, choices));
  return *value;
}

/// A mapping of free JSON (options), `{}` when absent or null.
json opt_mapping(const strict_reader& r, const YAML::Node& node, const std::string& where,
                 std::string_view key) {
  auto v = node[std::string{key}];
  if (!v || v.IsNull())
    return json::object();
  if (!v.IsMap())
    r.fail(v, strict_reader::join(where, key), "must be a mapping");
  return node_to_json(v);
}

property_spec read_property(const strict_reader& r, const YAML::Node& node,
                            const std::string& where) {
  r.check_keys(node, where,
               {"name", "type", "default", "description", "read_only", "readOnly", "observable",
                "nullable", "minimum", "maximum", "pattern"});
  property_spec p;
  p.name = required_string(r, node, where, "name");
  p.type = named_choice(r, node, where, "type", "any", parse_value_type, "type",
                        "number, integer, string, boolean, array, object, any");
  if (auto d = node["default"])
    p.initial = node_to_json(d);
  opt_string(r, node, where, "description", p.description);
  opt_bool(r, node, where, "read_only", p.read_only);
  opt_bool(r, node, where, "readOnly", p.read_only);
  opt_bool(r, node, where, "observable", p.observable);
  opt_bool(r, node, where, "nullable", p.nullable);
  opt_number(r, node, where, "minimum", p.minimum);
  opt_number(r, node, where, "maximum", p.maximum);
  std::string pattern;
  opt_string(r, node, where, "pattern", pattern);
  if (!pattern.empty())
    p.pattern = pattern;
  if (!p.initial.is_null())
    if (auto err = p.validate(p.initial))
      r.fail(node["default"], strict_reader::join(where, "default"),
             "default value: " + err->message);
  return p;
}

action_spec read_action(const strict_reader& r, const YAML::Node& node, const std::string& where) {
  r.check_keys(node, where, {"name", "kind", "description", "options", "input"});
  action_spec a;
  a.name = required_string(r, node, where, "name");
  a.kind = named_choice(r, node, where, "kind", std::nullopt, parse_action_kind, "action kind",
                        "echo, echo_value, constant, bytes, mixed, sleep, fail, store, acquire, "
                        "move_to, home, stop");
  opt_string(r, node, where, "description", a.description);
  a.options = opt_mapping(r, node, where, "options");
  if (auto in = node["input"])
    a.input = node_to_json(in);
  return a;
}

event_spec read_event(const strict_reader& r, const YAML::Node& node, const std::string& where) {
  r.check_keys(node, where, {"name", "kind", "description", "period_s", "options", "payload"});
  event_spec e;
  e.name = required_string(r, node, where, "name");
  e.kind = named_choice(r, node, where, "kind", "constant", parse_event_kind, "event kind",
                        "constant, measurement, counter");
  opt_string(r, node, where, "description", e.description);
  if (auto v = node["period_s"]) {
    e.period_s = r.number(v, strict_reader::join(where, "period_s"));
    if (e.period_s < 0)
      r.fail(v, strict_reader::join(where, "period_s"), "must not be negative");
  }
  e.options = opt_mapping(r, node, where, "options");
  if (auto payload = node["payload"])
    e.options["payload"] = node_to_json(payload);
  return e;
}

template <class T>
void upsert(std::vector<T>& items, T item) {
  for (auto& existing : items)
    if (existing.name == item.name) {
      existing = std::move(item);
      return;
    }
  items.push_back(std::move(item));
}

/// Reads each entry of the list `key` of `node` with `read` and merges it by name.
template <class T, class Read>
void read_list(const strict_reader& r, const YAML::Node& node, const std::string& where,
               std::string_view key, std::vector<T>& out, Read read) {
  auto path = strict_reader::join(where, key);
  const YAML::Node list = r.list(node[std::string{key}], path);
  for (std::size_t i = 0; list && i < list.size(); ++i)
    upsert(out, read(r, list[i], strict_reader::index(path, i)));
}

/// A Thing; `id`, when given, replaces the entry's own (templates).
thing_spec read_thing(const strict_reader& r, const YAML::Node& node, const std::string& where,
                      std::optional<std::string_view> id_override = std::nullopt) {
  r.check_keys(node, where,
               {"id", "template", "title", "description", "properties", "actions", "events",
                "faults"});
  std::string id = id_override ? std::string{*id_override} : required_string(r, node, where, "id");
  thing_spec t;
  std::string tmpl;
  opt_string(r, node, where, "template", tmpl);
  if (!tmpl.empty()) {
    auto base = template_thing(tmpl, id);
    if (!base)
      r.fail(node["template"], strict_reader::join(where, "template"), base.error());
    t = std::move(*base);
  }
  t.id = id;
  opt_string(r, node, where, "title", t.title);
  if (t.title.empty())
    t.title = id;
  opt_string(r, node, where, "description", t.description);
  read_list(r, node, where, "properties", t.properties, read_property);
  read_list(r, node, where, "actions", t.actions, read_action);
  read_list(r, node, where, "events", t.events, read_event);
  auto faults_path = strict_reader::join(where, "faults");
  const YAML::Node faults = r.list(node["faults"], faults_path);
  for (std::size_t i = 0; faults && i < faults.size(); ++i) {
    fault_spec f;
    // Faults are also set at run time from JSON: one reader for both.
    if (auto err = parse_fault(node_to_json(faults[i]), f))
      r.fail(faults[i], strict_reader::index(faults_path, i), err->message);
    t.faults.push_back(f);
  }
  return t;
}

sim_config read_config(const strict_reader& r, const YAML::Node& root) {
  r.check_keys(root, "", {"servers", "temp_dir", "ipc", "tcp", "log_level", "seed"});
  sim_config cfg;
  opt_string(r, root, "", "temp_dir", cfg.temp_dir);
  opt_bool(r, root, "", "ipc", cfg.ipc);
  std::string tcp;
  opt_string(r, root, "", "tcp", tcp);
  if (!tcp.empty())
    cfg.tcp = tcp;
  opt_string(r, root, "", "log_level", cfg.log_level);
  if (auto seed = root["seed"])
    cfg.seed = static_cast<unsigned>(r.unsigned_int(seed, "seed", 0, 0xffffffffu));
  const YAML::Node servers = r.list(root["servers"], "servers");
  if (!servers || servers.size() == 0)
    r.fail(servers ? servers : root, "servers", "must list at least one server");
  for (std::size_t i = 0; i < servers.size(); ++i) {
    auto where = strict_reader::index("servers", i);
    const YAML::Node node = servers[i];
    r.check_keys(node, where, {"id", "things"});
    server_spec s;
    s.id = required_string(r, node, where, "id");
    auto things_path = strict_reader::join(where, "things");
    const YAML::Node things = r.list(node["things"], things_path);
    if (!things || things.size() == 0)
      r.fail(things ? things : node, things_path, "must list at least one Thing");
    for (std::size_t j = 0; j < things.size(); ++j)
      s.things.push_back(read_thing(r, things[j], strict_reader::index(things_path, j)));
    cfg.servers.push_back(std::move(s));
  }
  return cfg;
}

} // namespace

config_result<thing_spec> template_thing(std::string_view name, std::string_view id) {
  // Parsed once: generated fleets instantiate a template a thousand times.
  static const YAML::Node spectrometer_doc = YAML::Load(std::string{spectrometer_yaml});
  static const YAML::Node motor_doc = YAML::Load(std::string{motor_yaml});
  const YAML::Node* doc = nullptr;
  if (name == "spectrometer")
    doc = &spectrometer_doc;
  else if (name == "motor")
    doc = &motor_doc;
  else
    return unexpected{fmt::format("unknown template \"{}\" (spectrometer, motor)", name)};
  strict_reader r{fmt::format("template {}", name)};
  try {
    return read_thing(r, *doc, "", id);
  } catch (const located_error& err) {
    return unexpected{err.to_string()};
  }
}

std::vector<server_spec> generated_fleet(int servers, int things, int first_server) {
  std::vector<server_spec> out;
  for (int i = first_server; i < first_server + servers; ++i) {
    server_spec s;
    s.id = fmt::format("sim-{}", i);
    for (int j = 0; j < things; ++j)
      s.things.push_back(*template_thing("spectrometer", fmt::format("thing-{}-{}", i, j)));
    out.push_back(std::move(s));
  }
  return out;
}

sim_config default_config() {
  sim_config cfg;
  server_spec s;
  s.id = "thing-sim";
  s.things.push_back(*template_thing("spectrometer", "spectrometer"));
  s.things.push_back(*template_thing("motor", "motor"));
  cfg.servers.push_back(std::move(s));
  return cfg;
}

config_result<sim_config> parse_config(std::string_view yaml_text, std::string_view file) {
  strict_reader r{file};
  try {
    auto cfg = read_config(r, r.load(yaml_text));
    if (auto err = validate(cfg))
      return unexpected{fmt::format("{}: {}", file, *err)};
    return cfg;
  } catch (const located_error& err) {
    return unexpected{err.to_string()};
  }
}

config_result<sim_config> load_config_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return unexpected{fmt::format("cannot read config file {}", path)};
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_config(buf.str(), path);
}

std::optional<std::string> validate(const sim_config& cfg) {
  std::set<std::string> server_ids;
  for (const auto& s : cfg.servers) {
    if (s.id.empty() || s.id.size() > 255)
      return fmt::format("server id \"{}\" must have 1 to 255 bytes", s.id);
    if (!server_ids.insert(s.id).second)
      return fmt::format("server id \"{}\" is used twice", s.id);
    std::set<std::string> thing_ids;
    for (const auto& t : s.things) {
      if (t.id.empty())
        return fmt::format("server {}: a Thing has an empty id", s.id);
      if (!thing_ids.insert(t.id).second)
        return fmt::format("server {}: Thing id \"{}\" is used twice", s.id, t.id);
    }
  }
  return std::nullopt;
}

} // namespace holobroker::sim
