#include "describe.hpp"

#include "text_table.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

namespace holobroker::cli {

namespace {

using nlohmann::json;

std::string text_of(const json& obj, const char* key) {
  auto i = obj.find(key);
  return i != obj.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

bool flag_of(const json& obj, const char* key) {
  auto i = obj.find(key);
  return i != obj.end() && i->is_boolean() && i->get<bool>();
}

/// Members of a TD section as (name, entry), sorted by name.
std::vector<std::pair<std::string, json>> section(const json& td, const char* key) {
  std::vector<std::pair<std::string, json>> out;
  auto i = td.find(key);
  if (i == td.end() || !i->is_object())
    return out;
  for (const auto& [name, entry] : i->items())
    out.emplace_back(name, entry);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

} // namespace

std::string thing_description_kwargs(const std::string& protocol) {
  return json{{"ignore_errors", true}, {"protocol", protocol}, {"skip_names", json::array()}}
    .dump();
}

std::string schema_summary(const json& schema) {
  if (schema.is_null())
    return "-";
  if (!schema.is_object())
    return schema.dump();
  if (auto one = schema.find("oneOf"); one != schema.end() && one->is_array()) {
    std::string out;
    for (const auto& s : *one)
      out += (out.empty() ? "" : "|") + schema_summary(s);
    return out;
  }
  auto type = text_of(schema, "type");
  if (type == "object" || (type.empty() && schema.contains("properties"))) {
    auto props = schema.find("properties");
    if (props == schema.end() || !props->is_object() || props->empty())
      return "object";
    std::vector<std::string> required;
    if (auto r = schema.find("required"); r != schema.end() && r->is_array())
      for (const auto& n : *r)
        if (n.is_string())
          required.push_back(n.get<std::string>());
    std::string out = "{";
    for (const auto& [name, s] : props->items()) {
      bool req = std::find(required.begin(), required.end(), name) != required.end();
      out += (out.size() > 1 ? ", " : "") + name + (req ? "" : "?") + ": " + schema_summary(s);
    }
    return out + "}";
  }
  if (type == "array") {
    auto items = schema.find("items");
    return items == schema.end() ? "array" : "array of " + schema_summary(*items);
  }
  if (!type.empty())
    return type;
  if (auto t = schema.find("type"); t != schema.end() && t->is_array()) {
    std::string out;
    for (const auto& x : *t)
      out += (out.empty() ? "" : "|") + (x.is_string() ? x.get<std::string>() : x.dump());
    return out;
  }
  return schema.empty() ? "any" : schema.dump();
}

json describe_json(const json& td) {
  json out{{"id", text_of(td, "id")},
           {"title", text_of(td, "title")},
           {"description", text_of(td, "description")},
           {"properties", json::array()},
           {"actions", json::array()},
           {"events", json::array()}};
  for (const auto& [name, p] : section(td, "properties")) {
    // A property's schema is the entry itself (type / oneOf at its top level).
    out["properties"].push_back({{"name", name},
                                 {"type", schema_summary(p)},
                                 {"read_only", flag_of(p, "readOnly")},
                                 {"observable", flag_of(p, "observable")},
                                 {"description", text_of(p, "description")}});
  }
  for (const auto& [name, a] : section(td, "actions"))
    out["actions"].push_back({{"name", name},
                              {"input", a.contains("input") ? a["input"] : json(nullptr)},
                              {"description", text_of(a, "description")}});
  for (const auto& [name, e] : section(td, "events"))
    out["events"].push_back({{"name", name},
                             {"data", e.contains("data") ? e["data"] : json(nullptr)},
                             {"description", text_of(e, "description")}});
  return out;
}

std::string describe_table(const json& td) {
  auto d = describe_json(td);
  std::ostringstream out;
  out << d["id"].get<std::string>();
  if (!d["title"].get<std::string>().empty() && d["title"] != d["id"])
    out << " (" << d["title"].get<std::string>() << ")";
  out << '\n';
  if (!d["description"].get<std::string>().empty())
    out << d["description"].get<std::string>() << '\n';
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : d["properties"])
    rows.push_back({p["name"], p["type"], p["read_only"].get<bool>() ? "yes" : "no",
                    p["observable"].get<bool>() ? "yes" : "no", p["description"]});
  out << "\nproperties (" << rows.size() << ")\n"
      << text_table({"NAME", "TYPE", "READ-ONLY", "OBSERVABLE", "DESCRIPTION"}, rows);
  rows.clear();
  for (const auto& a : d["actions"])
    rows.push_back({a["name"], schema_summary(a["input"]), a["description"]});
  out << "\nactions (" << rows.size() << ")\n" << text_table({"NAME", "INPUT", "DESCRIPTION"}, rows);
  rows.clear();
  for (const auto& e : d["events"])
    rows.push_back({e["name"], schema_summary(e["data"]), e["description"]});
  out << "\nevents (" << rows.size() << ")\n" << text_table({"NAME", "DATA", "DESCRIPTION"}, rows);
  return out.str();
}

} // namespace holobroker::cli
