#include "fault.hpp"

#include <charconv>

#include <fmt/format.h>

namespace holobroker::sim {

std::optional<fault_mode> parse_fault_mode(std::string_view t) {
  if (t == "none" || t == "clear")
    return fault_mode::none;
  if (t == "latency")
    return fault_mode::latency;
  if (t == "drop")
    return fault_mode::drop;
  if (t == "garbage")
    return fault_mode::garbage;
  if (t == "silent")
    return fault_mode::silent;
  if (t == "restart")
    return fault_mode::restart;
  if (t == "exit")
    return fault_mode::exit;
  return std::nullopt;
}

std::string_view to_string(fault_mode mode) {
  switch (mode) {
    case fault_mode::none: return "none";
    case fault_mode::latency: return "latency";
    case fault_mode::drop: return "drop";
    case fault_mode::garbage: return "garbage";
    case fault_mode::silent: return "silent";
    case fault_mode::restart: return "restart";
    case fault_mode::exit: return "exit";
  }
  return "?";
}

namespace {

std::optional<remote_error> set_number(const std::string& key, const nlohmann::json& v,
                                       fault_spec& out) {
  if (!v.is_number())
    return remote_error{"TypeError", fmt::format("fault field \"{}\" must be a number", key)};
  auto x = v.get<double>();
  if (x < 0 || x > 1e9)
    return remote_error{"ValueError",
                        fmt::format("fault field \"{}\" must be within [0, 1e9]", key)};
  if (key == "fixed_ms")
    out.fixed_ms = x;
  else if (key == "jitter_ms")
    out.jitter_ms = x;
  else if (key == "fraction") {
    if (x > 1)
      return remote_error{"ValueError", "fault field \"fraction\" must be within [0, 1]"};
    out.fraction = x;
  } else if (key == "duration_s")
    out.duration_s = x;
  else if (key == "down_ms")
    out.down_ms = x;
  else if (key == "delay_ms")
    out.delay_ms = x;
  else if (key == "code")
    out.code = static_cast<int>(x);
  else
    return remote_error{"TypeError", fmt::format("unknown fault field \"{}\"", key)};
  return std::nullopt;
}

} // namespace

std::optional<remote_error> parse_fault(const nlohmann::json& obj, fault_spec& out) {
  if (!obj.is_object())
    return remote_error{"TypeError", "a fault must be an object with a \"mode\""};
  out = fault_spec{};
  auto mode = obj.find("mode");
  if (mode == obj.end() || !mode->is_string())
    return remote_error{"TypeError", "a fault needs a string \"mode\" (none, latency, drop, "
                                     "garbage, silent, restart, exit)"};
  auto m = parse_fault_mode(mode->get<std::string>());
  if (!m)
    return remote_error{"ValueError",
                        fmt::format("unknown fault mode \"{}\" (none, latency, drop, garbage, "
                                    "silent, restart, exit)",
                                    mode->get<std::string>())};
  out.mode = *m;
  for (const auto& [key, value] : obj.items())
    if (key != "mode")
      if (auto err = set_number(key, value, out))
        return err;
  return std::nullopt;
}

std::optional<std::string> parse_fault_flag(std::string_view text, fault_spec& out) {
  nlohmann::json obj = nlohmann::json::object();
  std::size_t pos = 0;
  bool first = true;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    auto part = text.substr(pos, comma == std::string_view::npos ? text.size() - pos
                                                                 : comma - pos);
    if (first) {
      obj["mode"] = std::string{part};
      first = false;
    } else {
      auto eq = part.find('=');
      if (eq == std::string_view::npos)
        return fmt::format("fault option \"{}\" is not key=value", part);
      auto val = part.substr(eq + 1);
      double x = 0;
      auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), x);
      if (ec != std::errc{} || p != val.data() + val.size())
        return fmt::format("fault option \"{}\" needs a number", part);
      obj[std::string{part.substr(0, eq)}] = x;
    }
    if (comma == std::string_view::npos)
      break;
    pos = comma + 1;
  }
  if (auto err = parse_fault(obj, out))
    return err->message;
  return std::nullopt;
}

void fault_state::apply(const fault_spec& spec, clock::time_point now) {
  switch (spec.mode) {
    case fault_mode::none:
      *this = fault_state{static_cast<unsigned>(rng_())};
      break;
    case fault_mode::latency:
      fixed_ms_ = spec.fixed_ms;
      jitter_ms_ = spec.jitter_ms;
      break;
    case fault_mode::drop:
      drop_fraction_ = spec.fraction;
      break;
    case fault_mode::garbage:
      garbage_fraction_ = spec.fraction;
      break;
    case fault_mode::silent:
      silent_ = true;
      silent_until_.reset();
      if (spec.duration_s > 0)
        silent_until_ = now + std::chrono::duration_cast<clock::duration>(
                                std::chrono::duration<double>(spec.duration_s));
      break;
    case fault_mode::restart:
    case fault_mode::exit:
      break; // server-level, carried out by the server
  }
}

std::chrono::nanoseconds fault_state::next_latency() {
  double ms = fixed_ms_;
  if (jitter_ms_ > 0)
    ms += jitter_ms_ * unit_(rng_);
  return std::chrono::nanoseconds{static_cast<long long>(ms * 1e6)};
}

bool fault_state::swallow_reply(clock::time_point now) {
  if (silent_) {
    if (!silent_until_ || now < *silent_until_)
      return true;
    silent_ = false;
    silent_until_.reset();
  }
  return drop_fraction_ > 0 && unit_(rng_) < drop_fraction_;
}

bool fault_state::garble_reply() {
  return garbage_fraction_ > 0 && unit_(rng_) < garbage_fraction_;
}

bool fault_state::any() const noexcept {
  return fixed_ms_ > 0 || jitter_ms_ > 0 || drop_fraction_ > 0 || garbage_fraction_ > 0
         || silent_;
}

} // namespace holobroker::sim
