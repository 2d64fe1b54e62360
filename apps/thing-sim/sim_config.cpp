#include "sim_config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

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

// Small typed getters that name the offending key in their error.
struct reader {
  const json& obj;
  std::string where;

  std::optional<std::string> check_keys(std::initializer_list<std::string_view> allowed) const {
    if (!obj.is_object())
      return fmt::format("{}: expected a mapping", where);
    for (const auto& [key, _] : obj.items())
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        return fmt::format("{}: unknown key \"{}\"", where, key);
    return std::nullopt;
  }

  std::optional<std::string> str(std::string_view key, std::string& out,
                                 bool required = false) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
      return required ? std::optional{fmt::format("{}: missing \"{}\"", where, key)}
                      : std::nullopt;
    if (!it->is_string())
      return fmt::format("{}: \"{}\" must be a string", where, key);
    out = it->get<std::string>();
    return std::nullopt;
  }

  std::optional<std::string> boolean(std::string_view key, bool& out) const {
    auto it = obj.find(key);
    if (it == obj.end())
      return std::nullopt;
    if (!it->is_boolean())
      return fmt::format("{}: \"{}\" must be true or false", where, key);
    out = it->get<bool>();
    return std::nullopt;
  }

  std::optional<std::string> number(std::string_view key, double& out) const {
    auto it = obj.find(key);
    if (it == obj.end())
      return std::nullopt;
    if (!it->is_number())
      return fmt::format("{}: \"{}\" must be a number", where, key);
    out = it->get<double>();
    return std::nullopt;
  }

  std::optional<std::string> opt_number(std::string_view key,
                                        std::optional<double>& out) const {
    if (!obj.contains(key))
      return std::nullopt;
    double x = 0;
    if (auto err = number(key, x))
      return err;
    out = x;
    return std::nullopt;
  }

  std::optional<std::string> list(std::string_view key, const json*& out) const {
    auto it = obj.find(key);
    out = nullptr;
    if (it == obj.end() || it->is_null())
      return std::nullopt;
    if (!it->is_array())
      return fmt::format("{}: \"{}\" must be a list", where, key);
    out = &*it;
    return std::nullopt;
  }
};

#define SIM_TRY(expr)                                                                           \
  if (auto err_ = (expr))                                                                       \
    return unexpected{std::move(*err_)};

config_result<property_spec> parse_property(const json& node, const std::string& where) {
  reader r{node, where};
  SIM_TRY(r.check_keys({"name", "type", "default", "description", "read_only", "readOnly",
                        "observable", "nullable", "minimum", "maximum", "pattern"}));
  property_spec p;
  SIM_TRY(r.str("name", p.name, true));
  std::string type = "any";
  SIM_TRY(r.str("type", type));
  auto t = parse_value_type(type);
  if (!t)
    return unexpected{fmt::format("{}: unknown type \"{}\" (number, integer, string, boolean, "
                                  "array, object, any)",
                                  where, type)};
  p.type = *t;
  p.initial = node.value("default", json{});
  SIM_TRY(r.str("description", p.description));
  SIM_TRY(r.boolean("read_only", p.read_only));
  SIM_TRY(r.boolean("readOnly", p.read_only));
  SIM_TRY(r.boolean("observable", p.observable));
  SIM_TRY(r.boolean("nullable", p.nullable));
  SIM_TRY(r.opt_number("minimum", p.minimum));
  SIM_TRY(r.opt_number("maximum", p.maximum));
  std::string pattern;
  SIM_TRY(r.str("pattern", pattern));
  if (!pattern.empty())
    p.pattern = pattern;
  if (!p.initial.is_null())
    if (auto err = p.validate(p.initial))
      return unexpected{fmt::format("{}: default value: {}", where, err->message)};
  return p;
}

config_result<action_spec> parse_action(const json& node, const std::string& where) {
  reader r{node, where};
  SIM_TRY(r.check_keys({"name", "kind", "description", "options", "input"}));
  action_spec a;
  SIM_TRY(r.str("name", a.name, true));
  std::string kind;
  SIM_TRY(r.str("kind", kind, true));
  auto k = parse_action_kind(kind);
  if (!k)
    return unexpected{fmt::format("{}: unknown action kind \"{}\" (echo, echo_value, constant, "
                                  "bytes, mixed, sleep, fail, store, acquire, move_to, home, "
                                  "stop)",
                                  where, kind)};
  a.kind = *k;
  SIM_TRY(r.str("description", a.description));
  a.options = node.value("options", json::object());
  if (!a.options.is_object())
    return unexpected{fmt::format("{}: \"options\" must be a mapping", where)};
  a.input = node.value("input", json{});
  return a;
}

config_result<event_spec> parse_event(const json& node, const std::string& where) {
  reader r{node, where};
  SIM_TRY(r.check_keys({"name", "kind", "description", "period_s", "options", "payload"}));
  event_spec e;
  SIM_TRY(r.str("name", e.name, true));
  std::string kind = "constant";
  SIM_TRY(r.str("kind", kind));
  auto k = parse_event_kind(kind);
  if (!k)
    return unexpected{fmt::format("{}: unknown event kind \"{}\" (constant, measurement, "
                                  "counter)",
                                  where, kind)};
  e.kind = *k;
  SIM_TRY(r.str("description", e.description));
  SIM_TRY(r.number("period_s", e.period_s));
  if (e.period_s < 0)
    return unexpected{fmt::format("{}: \"period_s\" must not be negative", where)};
  e.options = node.value("options", json::object());
  if (node.contains("payload"))
    e.options["payload"] = node["payload"];
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

config_result<thing_spec> parse_thing(const json& node, const std::string& where) {
  reader r{node, where};
  SIM_TRY(r.check_keys({"id", "template", "title", "description", "properties", "actions",
                        "events", "faults"}));
  std::string id;
  SIM_TRY(r.str("id", id, true));
  thing_spec t;
  std::string tmpl;
  SIM_TRY(r.str("template", tmpl));
  if (!tmpl.empty()) {
    auto base = template_thing(tmpl, id);
    if (!base)
      return unexpected{fmt::format("{}: {}", where, base.error())};
    t = std::move(*base);
  }
  t.id = id;
  SIM_TRY(r.str("title", t.title));
  if (t.title.empty())
    t.title = id;
  SIM_TRY(r.str("description", t.description));
  const json* list = nullptr;
  SIM_TRY(r.list("properties", list));
  if (list)
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto p = parse_property((*list)[i], fmt::format("{}.properties[{}]", where, i));
      if (!p)
        return unexpected{p.error()};
      upsert(t.properties, std::move(*p));
    }
  SIM_TRY(r.list("actions", list));
  if (list)
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto a = parse_action((*list)[i], fmt::format("{}.actions[{}]", where, i));
      if (!a)
        return unexpected{a.error()};
      upsert(t.actions, std::move(*a));
    }
  SIM_TRY(r.list("events", list));
  if (list)
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto e = parse_event((*list)[i], fmt::format("{}.events[{}]", where, i));
      if (!e)
        return unexpected{e.error()};
      upsert(t.events, std::move(*e));
    }
  SIM_TRY(r.list("faults", list));
  if (list)
    for (std::size_t i = 0; i < list->size(); ++i) {
      fault_spec f;
      if (auto err = parse_fault((*list)[i], f))
        return unexpected{fmt::format("{}.faults[{}]: {}", where, i, err->message)};
      t.faults.push_back(f);
    }
  return t;
}

} // namespace

config_result<json> yaml_to_json(std::string_view text) {
  try {
    return node_to_json(YAML::Load(std::string{text}));
  } catch (const YAML::Exception& ex) {
    return unexpected{std::string{"invalid YAML: "} + ex.what()};
  }
}

config_result<thing_spec> template_thing(std::string_view name, std::string_view id) {
  std::string_view yaml;
  if (name == "spectrometer")
    yaml = spectrometer_yaml;
  else if (name == "motor")
    yaml = motor_yaml;
  else
    return unexpected{fmt::format("unknown template \"{}\" (spectrometer, motor)", name)};
  // Parsed once: generated fleets instantiate a template a thousand times.
  static const json spectrometer_doc = *yaml_to_json(spectrometer_yaml);
  static const json motor_doc = *yaml_to_json(motor_yaml);
  json doc = yaml.data() == spectrometer_yaml.data() ? spectrometer_doc : motor_doc;
  doc["id"] = std::string{id};
  return parse_thing(doc, fmt::format("template {}", name));
}

std::vector<server_spec> generated_fleet(int servers, int things) {
  std::vector<server_spec> out;
  for (int i = 0; i < servers; ++i) {
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

config_result<sim_config> parse_config(const json& doc) {
  reader r{doc, "config"};
  SIM_TRY(r.check_keys({"servers", "temp_dir", "ipc", "tcp", "log_level", "seed"}));
  sim_config cfg;
  SIM_TRY(r.str("temp_dir", cfg.temp_dir));
  SIM_TRY(r.boolean("ipc", cfg.ipc));
  std::string tcp;
  SIM_TRY(r.str("tcp", tcp));
  if (!tcp.empty())
    cfg.tcp = tcp;
  SIM_TRY(r.str("log_level", cfg.log_level));
  double seed = 1;
  SIM_TRY(r.number("seed", seed));
  cfg.seed = static_cast<unsigned>(seed);
  const json* servers = nullptr;
  SIM_TRY(r.list("servers", servers));
  if (!servers || servers->empty())
    return unexpected{std::string{"config: \"servers\" must list at least one server"}};
  for (std::size_t i = 0; i < servers->size(); ++i) {
    auto where = fmt::format("servers[{}]", i);
    const auto& node = (*servers)[i];
    reader sr{node, where};
    SIM_TRY(sr.check_keys({"id", "things"}));
    server_spec s;
    SIM_TRY(sr.str("id", s.id, true));
    const json* things = nullptr;
    SIM_TRY(sr.list("things", things));
    if (!things || things->empty())
      return unexpected{fmt::format("{}: \"things\" must list at least one Thing", where)};
    for (std::size_t j = 0; j < things->size(); ++j) {
      auto t = parse_thing((*things)[j], fmt::format("{}.things[{}]", where, j));
      if (!t)
        return unexpected{t.error()};
      s.things.push_back(std::move(*t));
    }
    cfg.servers.push_back(std::move(s));
  }
  if (auto err = validate(cfg))
    return unexpected{*err};
  return cfg;
}

config_result<sim_config> load_config_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return unexpected{fmt::format("cannot read config file {}", path)};
  std::stringstream buf;
  buf << in.rdbuf();
  auto doc = yaml_to_json(buf.str());
  if (!doc)
    return unexpected{fmt::format("{}: {}", path, doc.error())};
  auto cfg = parse_config(*doc);
  if (!cfg)
    return unexpected{fmt::format("{}: {}", path, cfg.error())};
  return cfg;
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
