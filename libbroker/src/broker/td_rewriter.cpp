#include "holobroker/broker/td_rewriter.hpp"

#include <nlohmann/json.hpp>

namespace holobroker::broker {

namespace {

using json = nlohmann::json;

bool is_event_op(const json& op) {
  auto is = [](const json& v) {
    if (!v.is_string())
      return false;
    auto s = v.get<std::string>();
    return s == "subscribeevent" || s == "unsubscribeevent" || s == "observeproperty"
           || s == "unobserveproperty";
  };
  if (op.is_array()) {
    for (auto& v : op)
      if (is(v))
        return true;
    return false;
  }
  return is(op);
}

/// The broker address replacing `href`, or empty to keep it.
std::string replacement(const std::string& href, bool event, const broker_endpoints& ep) {
  const auto& ipc = event ? ep.event_ipc : ep.request_ipc;
  const auto& tcp = event ? ep.event_tcp : ep.request_tcp;
  if (href.rfind("ipc://", 0) == 0)
    return !ipc.empty() ? ipc : tcp;
  if (href.rfind("tcp://", 0) == 0)
    return !tcp.empty() ? tcp : ipc;
  if (href.rfind("inproc://", 0) == 0)
    return !ipc.empty() ? ipc : tcp;
  return {};
}

std::size_t rewrite_forms(json& affordance, const broker_endpoints& ep) {
  std::size_t n = 0;
  auto forms = affordance.find("forms");
  if (forms == affordance.end() || !forms->is_array())
    return 0;
  for (auto& form : *forms) {
    if (!form.is_object())
      continue;
    auto href = form.find("href");
    if (href == form.end() || !href->is_string())
      continue;
    auto op = form.find("op");
    bool event = op != form.end() && is_event_op(*op);
    if (auto to = replacement(href->get<std::string>(), event, ep); !to.empty()) {
      *href = to;
      ++n;
    }
  }
  return n;
}

} // namespace

expected<std::string, std::string> rewrite_thing_description(std::string_view td_json,
                                                             const broker_endpoints& ep) {
  auto td = json::parse(td_json, nullptr, false);
  if (td.is_discarded())
    return unexpected<std::string>{"not JSON"};
  if (!td.is_object())
    return unexpected<std::string>{"not a JSON object"};
  bool any_section = false;
  for (const char* section : {"properties", "actions", "events"}) {
    auto s = td.find(section);
    if (s == td.end())
      continue;
    if (!s->is_object())
      return unexpected<std::string>{std::string{section} + " is not an object"};
    any_section = true;
    for (auto& [name, affordance] : s->items())
      if (affordance.is_object())
        rewrite_forms(affordance, ep);
  }
  if (!any_section)
    return unexpected<std::string>{"no properties, actions or events"};
  rewrite_forms(td, ep); // top-level forms (readallproperties, ...)
  return td.dump();
}

} // namespace holobroker::broker
