#include "thing_description.hpp"

#include <algorithm>

#include <unistd.h>

namespace holobroker::sim {

namespace {

using nlohmann::ordered_json;

ordered_json form(const std::string& href, std::string_view op) {
  return ordered_json{{"href", href}, {"op", op}, {"contentType", "application/json"}};
}

bool skipped(const std::vector<std::string>& skip, const std::string& name) {
  return std::find(skip.begin(), skip.end(), name) != skip.end();
}

} // namespace

std::string advertised_address(const std::string& address) {
  for (std::string_view any : {"tcp://0.0.0.0:", "tcp://*:"}) {
    if (address.rfind(any, 0) == 0) {
      char host[256] = {};
      if (::gethostname(host, sizeof host - 1) != 0)
        return address;
      return "tcp://" + std::string{host} + ":" + address.substr(any.size());
    }
  }
  return address;
}

ordered_json make_thing_description(const thing_spec& thing, const td_addresses& addr,
                                    const std::vector<std::string>& skip_names) {
  ordered_json td;
  td["context"] = ordered_json::array({"https://www.w3.org/2022/wot/td/v1.1"});
  td["id"] = thing.id;
  td["title"] = thing.title;
  td["description"] = thing.description;
  auto& props = td["properties"] = ordered_json::object();
  for (const auto& p : thing.properties) {
    if (skipped(skip_names, p.name))
      continue;
    ordered_json entry;
    if (!p.description.empty())
      entry["description"] = p.description;
    if (!p.initial.is_null())
      entry["default"] = p.initial;
    if (p.read_only)
      entry["readOnly"] = true;
    auto type = schema_name(p.type);
    if (p.nullable && !type.empty())
      entry["oneOf"] = ordered_json::array({{{"type", type}}, {{"type", "null"}}});
    else if (!type.empty())
      entry["type"] = type;
    if (p.minimum)
      entry["minimum"] = *p.minimum;
    if (p.maximum)
      entry["maximum"] = *p.maximum;
    if (p.pattern)
      entry["pattern"] = *p.pattern;
    if (p.observable)
      entry["observable"] = true;
    auto& forms = entry["forms"] = ordered_json::array();
    forms.push_back(form(addr.request, "readproperty"));
    if (!p.read_only)
      forms.push_back(form(addr.request, "writeproperty"));
    if (p.observable)
      forms.push_back(form(addr.events, "observeproperty"));
    props[p.name] = std::move(entry);
  }
  auto& actions = td["actions"] = ordered_json::object();
  auto add_action = [&](const std::string& name, const std::string& description,
                        const nlohmann::json& input) {
    if (skipped(skip_names, name))
      return;
    ordered_json entry;
    if (!description.empty())
      entry["description"] = description;
    if (!input.is_null())
      entry["input"] = ordered_json::parse(input.dump());
    entry["synchronous"] = true;
    entry["forms"] = ordered_json::array({form(addr.request, "invokeaction")});
    actions[name] = std::move(entry);
  };
  for (const auto& a : thing.actions)
    add_action(a.name, a.description, a.input);
  add_action("ping", "Returns null; checks that the Thing answers", nlohmann::json{});
  auto& events = td["events"] = ordered_json::object();
  for (const auto& e : thing.events) {
    if (skipped(skip_names, e.name))
      continue;
    ordered_json entry;
    if (!e.description.empty())
      entry["description"] = e.description;
    entry["forms"] = ordered_json::array({form(addr.events, "subscribeevent")});
    events[e.name] = std::move(entry);
  }
  return td;
}

} // namespace holobroker::sim
