// The behaviours behind `action_kind`, and how an invokeaction payload is
// bound to an action's parameters the way Python binds `f(*args, **kwargs)`:
// `__args__` are positional, a non-empty preserialized frame is an extra
// first positional argument (golden README §8).

#include <cmath>

#include <fmt/format.h>

#include "thing.hpp"

namespace holobroker::sim {

std::optional<action_kind> parse_action_kind(std::string_view t) {
  static constexpr std::pair<std::string_view, action_kind> names[] = {
    {"echo", action_kind::echo},       {"echo_value", action_kind::echo_value},
    {"constant", action_kind::constant}, {"bytes", action_kind::bytes},
    {"mixed", action_kind::mixed},     {"sleep", action_kind::sleep},
    {"fail", action_kind::fail},       {"store", action_kind::store},
    {"acquire", action_kind::acquire}, {"move_to", action_kind::move_to},
    {"home", action_kind::home},       {"stop", action_kind::stop},
  };
  for (auto [name, kind] : names)
    if (name == t)
      return kind;
  return std::nullopt;
}

std::optional<event_kind> parse_event_kind(std::string_view t) {
  if (t == "constant")
    return event_kind::constant;
  if (t == "measurement")
    return event_kind::measurement;
  if (t == "counter")
    return event_kind::counter;
  return std::nullopt;
}

namespace {

outcome failure(std::string type, std::string message) {
  outcome out;
  out.error = remote_error{std::move(type), std::move(message)};
  return out;
}

outcome bytes_result(wire::shared_bytes bytes) {
  outcome out;
  out.preserialized = std::move(bytes);
  out.preencoded_result = true;
  return out;
}

outcome json_result(const nlohmann::json& value) {
  outcome out;
  if (!value.is_null())
    out.payload = wire::shared_bytes::from_string(encode_json(value));
  return out;
}

std::chrono::nanoseconds seconds(double s) {
  return std::chrono::nanoseconds{static_cast<long long>(s * 1e9)};
}

/// Parameter names of each kind, in positional order.
std::vector<std::string_view> parameters(action_kind kind) {
  switch (kind) {
    case action_kind::echo_value:
    case action_kind::store: return {"value"};
    case action_kind::sleep: return {"seconds"};
    case action_kind::fail: return {"message"};
    case action_kind::bytes: return {"size"};
    case action_kind::acquire: return {"averages"};
    case action_kind::move_to: return {"position"};
    default: return {};
  }
}

/// Arguments bound to parameter names; `bytes_param` names the parameter
/// that received the preserialized frame, if any.
struct bound_args {
  nlohmann::json values = nlohmann::json::object();
  std::string bytes_param;
  wire::shared_bytes bytes;

  bool has(std::string_view name) const {
    return values.contains(name) || bytes_param == name;
  }
};

std::optional<remote_error> bind(const action_spec& action, const operation_call& call,
                                 bound_args& out) {
  const auto& payload = *call.payload;
  if (!payload.is_object())
    return remote_error{"TypeError",
                        fmt::format("{}() argument after ** must be a mapping, not {}",
                                    action.name, payload.is_array() ? "list" : "value")};
  auto params = parameters(action.kind);
  std::size_t next = 0;
  if (!call.preserialized.empty()) {
    if (params.empty())
      return remote_error{"TypeError", fmt::format("{}() takes 0 positional arguments but 1 "
                                                   "was given",
                                                   action.name)};
    out.bytes_param = params[next++];
    out.bytes = call.preserialized;
  }
  if (auto args = payload.find("__args__"); args != payload.end()) {
    if (!args->is_array())
      return remote_error{"TypeError", "__args__ must be a list of positional arguments"};
    if (next + args->size() > params.size())
      return remote_error{"TypeError",
                          fmt::format("{}() takes {} positional arguments but {} were given",
                                      action.name, params.size(), next + args->size())};
    for (const auto& a : *args)
      out.values[std::string{params[next++]}] = a;
  }
  for (const auto& [key, value] : payload.items()) {
    if (key == "__args__")
      continue;
    if (std::find(params.begin(), params.end(), key) == params.end())
      return remote_error{"TypeError",
                          fmt::format("{}() got an unexpected keyword argument '{}'",
                                      action.name, key)};
    if (out.has(key))
      return remote_error{"TypeError", fmt::format("{}() got multiple values for argument "
                                                   "'{}'",
                                                   action.name, key)};
    out.values[key] = value;
  }
  return std::nullopt;
}

outcome echo(const operation_call& call) {
  if (!call.preserialized.empty())
    return bytes_result(call.preserialized);
  const auto& payload = *call.payload;
  auto args = payload.find("__args__");
  if (args == payload.end()) {
    outcome out;
    // The kwargs come back verbatim: no re-encoding for large payloads.
    out.payload = call.payload_frame.empty()
                    ? wire::shared_bytes::from_string(encode_json(payload))
                    : call.payload_frame;
    return out;
  }
  if (payload.size() == 1)
    return json_result(args->is_array() && args->size() == 1 ? (*args)[0] : *args);
  return json_result(payload);
}

} // namespace

outcome simulated_thing::invoke(const operation_call& call) {
  auto name = call.objekt;
  auto it = action_index_.find(name);
  if (it != action_index_.end())
    return run_action(spec_.actions[it->second], call);
  if (name == "ping")
    return outcome{};
  if (name == "_get_properties" || name == "_set_properties") {
    const auto& payload = *call.payload;
    if (!payload.is_object())
      return failure("TypeError", fmt::format("{}() argument after ** must be a mapping",
                                              name));
    if (name == "_set_properties") {
      for (const auto& [key, value] : payload.items())
        if (auto err = write(key, value)) {
          outcome out;
          out.error = std::move(err);
          return out;
        }
      return outcome{};
    }
    auto names = payload.find("names");
    std::string names_json = names == payload.end() ? "null" : names->dump();
    operation_call many = call;
    many.objekt_json = names_json;
    return read_many(many);
  }
  return failure("KeyError", fmt::format("'{}'", name));
}

outcome simulated_thing::run_action(const action_spec& action, const operation_call& call) {
  if (action.kind == action_kind::echo) // takes anything: no parameter binding
    return echo(call);
  bound_args args;
  if (auto err = bind(action, call, args)) {
    outcome out;
    out.error = std::move(err);
    return out;
  }
  const auto& opts = action.options;
  auto missing = [&](std::string_view param) {
    return failure("TypeError",
                   fmt::format("{}() missing 1 required positional argument: '{}'", action.name,
                               param));
  };
  switch (action.kind) {
    case action_kind::echo:
      return echo(call);
    case action_kind::echo_value:
      if (args.bytes_param == "value")
        return bytes_result(args.bytes);
      if (!args.values.contains("value"))
        return missing("value");
      return json_result(args.values["value"]);
    case action_kind::constant:
      return json_result(opts.value("result", nlohmann::json{}));
    case action_kind::bytes: {
      if (args.values.contains("size")) {
        const auto& size = args.values["size"];
        if (!size.is_number_integer() || size.get<long long>() < 0
            || size.get<long long>() > (64 << 20))
          return failure("ValueError", "size must be an integer between 0 and 67108864");
        std::string data(size.get<std::size_t>(), '\0');
        for (std::size_t i = 0; i < data.size(); ++i)
          data[i] = static_cast<char>(i & 0xff);
        return bytes_result(wire::shared_bytes::from_string(std::move(data)));
      }
      return bytes_result(wire::shared_bytes::copy_of(opts.value("data", "foobar")));
    }
    case action_kind::mixed: {
      auto data = opts.value("data", std::string{"foobar"});
      auto out = json_result(data);
      out.preserialized = wire::shared_bytes::copy_of(data);
      out.preencoded_result = true;
      return out;
    }
    case action_kind::sleep: {
      auto s = args.values.value("seconds", opts.value("seconds", nlohmann::json(1.0)));
      if (!s.is_number() || s.get<double>() < 0 || s.get<double>() > 86400)
        return failure("ValueError", "seconds must be a number between 0 and 86400");
      outcome out;
      out.duration = seconds(s.get<double>());
      return out;
    }
    case action_kind::fail:
      return failure(opts.value("error_type", std::string{"ValueError"}),
                     args.values.value("message",
                                       opts.value("message", std::string{"simulated failure"})));
    case action_kind::store: {
      if (!args.values.contains("value"))
        return missing("value");
      auto target = opts.value("target", std::string{});
      auto* prop = find_property(target);
      if (!prop)
        return failure("AttributeError", fmt::format("property {} does not exist", target));
      if (auto err = prop->spec->validate(args.values["value"])) {
        outcome out;
        out.error = std::move(err);
        return out;
      }
      set_value(*prop, args.values["value"]);
      return outcome{};
    }
    case action_kind::acquire: {
      auto averages = args.values.value("averages", nlohmann::json(1));
      if (!averages.is_number_integer() || averages.get<long long>() < 1
          || averages.get<long long>() > 1000)
        return failure("ValueError", "averages must be an integer between 1 and 1000");
      auto it = value_of("integration_time");
      double ms = it.is_number() ? it.get<double>() : 0.0;
      auto out = json_result(spectrum(ms / 10.0));
      out.duration = seconds(ms * static_cast<double>(averages.get<long long>()) / 1000.0);
      return out;
    }
    case action_kind::move_to: {
      if (!args.values.contains("position"))
        return missing("position");
      const auto& target = args.values["position"];
      auto property = opts.value("target", std::string{"position"});
      auto* prop = find_property(property);
      if (!prop)
        return failure("AttributeError", fmt::format("property {} does not exist", property));
      if (auto err = prop->spec->validate(target)) {
        outcome out;
        out.error = std::move(err);
        return out;
      }
      return start_move(action, target.get<double>());
    }
    case action_kind::home:
      return start_move(action, opts.value("home", 0.0));
    case action_kind::stop:
      return stop_move(action);
  }
  return outcome{};
}

outcome simulated_thing::start_move(const action_spec& action, double target) {
  auto property = action.options.value("target", std::string{"position"});
  auto* prop = find_property(property);
  if (!prop)
    return failure("AttributeError", fmt::format("property {} does not exist", property));
  double from = motion_ ? current_position() : prop->value.get<double>();
  if (motion_)
    host_.cancel(motion_->done_timer);
  double speed = action.options.value("speed", 100.0); // units per second
  motion m;
  m.from = from;
  m.to = target;
  m.start = std::chrono::steady_clock::now();
  m.duration = seconds(speed > 0 ? std::min(std::abs(target - from) / speed, 60.0) : 0.0);
  motion_property_ = property;
  m.done_timer = host_.schedule(m.duration, [this, property] { finish_move(property); });
  motion_ = m;
  if (auto* moving = find_property("moving"))
    set_value(*moving, true);
  return outcome{};
}

void simulated_thing::finish_move(const std::string& property) {
  if (!motion_)
    return;
  double to = motion_->to;
  motion_.reset();
  if (auto* prop = find_property(property))
    set_value(*prop, to);
  if (auto* moving = find_property("moving"))
    set_value(*moving, false);
}

outcome simulated_thing::stop_move(const action_spec&) {
  if (!motion_)
    return outcome{};
  double at = current_position();
  host_.cancel(motion_->done_timer);
  motion_.reset();
  if (auto* prop = find_property(motion_property_))
    set_value(*prop, at);
  if (auto* moving = find_property("moving"))
    set_value(*moving, false);
  return outcome{};
}

} // namespace holobroker::sim
