#include "thing.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace holobroker::sim {

std::string encode_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

wire::shared_bytes encoded(const nlohmann::json& value) {
  if (value.is_null())
    return wire::null_payload();
  return wire::shared_bytes::from_string(encode_json(value));
}

outcome failure(std::string type, std::string message) {
  outcome out;
  out.error = remote_error{std::move(type), std::move(message)};
  return out;
}

} // namespace

simulated_thing::simulated_thing(thing_spec spec, thing_host& host)
  : spec_(std::move(spec)), host_(host) {
  properties_.reserve(spec_.properties.size());
  for (const auto& p : spec_.properties) {
    properties_.push_back(property_state{&p, p.initial, encoded(p.initial)});
    property_index_.emplace(p.name, properties_.size() - 1);
  }
  for (std::size_t i = 0; i < spec_.actions.size(); ++i)
    action_index_.emplace(spec_.actions[i].name, i);
  for (std::size_t i = 0; i < spec_.events.size(); ++i)
    if (spec_.events[i].period_s > 0)
      arm_periodic(i);
}

simulated_thing::~simulated_thing() {
  for (auto id : periodic_timers_)
    host_.cancel(id);
  if (motion_)
    host_.cancel(motion_->done_timer);
}

void simulated_thing::arm_periodic(std::size_t event_index) {
  auto period = std::chrono::duration_cast<std::chrono::nanoseconds>(
    std::chrono::duration<double>(spec_.events[event_index].period_s));
  if (periodic_timers_.size() <= event_index)
    periodic_timers_.resize(spec_.events.size(), 0);
  periodic_timers_[event_index] = host_.schedule(period, [this, event_index] {
    publish_event(spec_.events[event_index]);
    arm_periodic(event_index);
  });
}

simulated_thing::property_state* simulated_thing::find_property(std::string_view name) {
  auto it = property_index_.find(name);
  return it == property_index_.end() ? nullptr : &properties_[it->second];
}

const simulated_thing::property_state*
simulated_thing::find_property(std::string_view name) const {
  auto it = property_index_.find(name);
  return it == property_index_.end() ? nullptr : &properties_[it->second];
}

bool simulated_thing::echoes_kwargs(std::string_view action) const {
  auto it = action_index_.find(action);
  return it != action_index_.end() && spec_.actions[it->second].kind == action_kind::echo;
}

nlohmann::json simulated_thing::value_of(std::string_view name) const {
  const auto* p = find_property(name);
  return p ? p->value : nlohmann::json{};
}

void simulated_thing::set_value(property_state& prop, nlohmann::json value) {
  prop.value = std::move(value);
  prop.encoded = encoded(prop.value);
  if (prop.spec->observable)
    host_.publish(spec_.id, prop.spec->name + "_change_event", prop.encoded,
                  wire::empty_frame());
}

std::optional<remote_error> simulated_thing::write(std::string_view name,
                                                   const nlohmann::json& value) {
  auto* prop = find_property(name);
  if (!prop)
    return remote_error{"AttributeError", fmt::format("property {} does not exist", name)};
  if (prop->spec->read_only)
    return remote_error{"AttributeError",
                        fmt::format("read-only property {} cannot be written", name)};
  if (auto err = prop->spec->validate(value))
    return err;
  set_value(*prop, value);
  return std::nullopt;
}

outcome simulated_thing::execute(const operation_call& call) {
  const auto& op = call.operation;
  if (op == "readproperty")
    return read_property(call.objekt);
  if (op == "writeproperty")
    return write_property(call.objekt, *call.payload);
  if (op == "invokeaction")
    return invoke(call);
  if (op == "readmultipleproperties" || op == "readallproperties")
    return read_many(call);
  if (op == "writemultipleproperties")
    // The real server's dispatch passes an extra argument here (golden
    // ipc-writemultipleproperties-direct.json); clients use _set_properties.
    return failure("TypeError",
                   "PropertiesRegistry.set() takes 1 positional argument but 2 were given");
  return failure("NotImplementedError",
                 fmt::format("Unimplemented execution path for Thing {} for operation {}",
                             spec_.id, op));
}

outcome simulated_thing::read_property(std::string_view name) {
  auto* prop = find_property(name);
  if (!prop)
    return failure("KeyError", fmt::format("'{}'", name));
  outcome out;
  if (motion_ && name == motion_property_)
    out.payload = encoded(current_position());
  else
    out.payload = prop->encoded;
  return out;
}

outcome simulated_thing::write_property(std::string_view name, const nlohmann::json& value) {
  auto* prop = find_property(name);
  if (!prop)
    return failure("KeyError", fmt::format("'{}'", name));
  if (auto err = write(name, value)) {
    outcome out;
    out.error = std::move(err);
    return out;
  }
  return outcome{};
}

outcome simulated_thing::read_many(const operation_call& call) {
  std::vector<std::string> names;
  if (!call.objekt_json.empty()) {
    auto parsed = nlohmann::json::parse(call.objekt_json, nullptr, false);
    if (parsed.is_array()) {
      for (const auto& n : parsed) {
        if (!n.is_string())
          return failure("TypeError", "property names must be strings");
        names.push_back(n.get<std::string>());
      }
    } else { // null: every property
      for (const auto& p : spec_.properties)
        names.push_back(p.name);
    }
  } else {
    // A comma-separated string; "" names the empty property, which the real
    // server reports as missing (golden ipc-readallproperties-objekt-empty.json).
    std::string_view rest = call.objekt;
    for (;;) {
      auto comma = rest.find(',');
      names.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos)
        break;
      rest.remove_prefix(comma + 1);
    }
  }
  std::string text = "{";
  for (const auto& name : names) {
    const auto* prop = find_property(name);
    if (!prop)
      return failure("AttributeError", fmt::format("property {} does not exist", name));
    if (text.size() > 1)
      text += ',';
    text += encode_json(name);
    text += ':';
    text += prop->encoded.view();
  }
  text += '}';
  outcome out;
  out.payload = wire::shared_bytes::from_string(std::move(text));
  return out;
}

void simulated_thing::publish_event(const event_spec& event) {
  ++event_counter_;
  nlohmann::json payload;
  switch (event.kind) {
    case event_kind::constant:
      payload = event.options.value("payload", nlohmann::json{});
      break;
    case event_kind::counter:
      payload = event_counter_;
      break;
    case event_kind::measurement: {
      auto it = value_of("integration_time");
      double scale = it.is_number() ? it.get<double>() / 10.0 : 1.0;
      auto now = std::chrono::system_clock::now().time_since_epoch();
      payload = nlohmann::json{
        {"timestamp", std::chrono::duration<double>(now).count()},
        {"sequence", event_counter_},
        {"intensity", spectrum(scale)},
      };
      break;
    }
  }
  host_.publish(spec_.id, event.name, encoded(payload), wire::empty_frame());
}

nlohmann::json simulated_thing::spectrum(double scale) {
  // A Gaussian peak over the Thing's wavelengths with a deterministic ripple,
  // so consecutive spectra differ but tests stay reproducible.
  auto wl = value_of("wavelengths");
  nlohmann::json out = nlohmann::json::array();
  if (!wl.is_array())
    return out;
  double peak = 550.0;
  double width = 40.0;
  for (std::size_t i = 0; i < wl.size(); ++i) {
    double x = wl[i].is_number() ? wl[i].get<double>() : 0.0;
    double g = std::exp(-((x - peak) / width) * ((x - peak) / width));
    double ripple = 0.01 * std::sin(static_cast<double>(i + event_counter_));
    out.push_back(std::round((scale * (100.0 * g + 1.0 + ripple)) * 1000.0) / 1000.0);
  }
  return out;
}

double simulated_thing::current_position() const {
  if (!motion_)
    return 0;
  auto elapsed = std::chrono::steady_clock::now() - motion_->start;
  double f = motion_->duration.count() > 0
               ? std::clamp(std::chrono::duration<double>(elapsed).count()
                              / std::chrono::duration<double>(motion_->duration).count(),
                            0.0, 1.0)
               : 1.0;
  return motion_->from + (motion_->to - motion_->from) * f;
}

} // namespace holobroker::sim
