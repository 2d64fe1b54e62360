#include "strict_yaml.hpp"

#include <charconv>
#include <cmath>

namespace holobroker::yaml {

std::string located_error::to_string() const {
  std::string out = file;
  if (line > 0)
    out += fmt::format(":{}:{}", line, column);
  out += ": ";
  if (!key.empty()) {
    out += key;
    out += ": ";
  }
  out += message;
  return out;
}

YAML::Node strict_reader::load(std::string_view text) const {
  try {
    return YAML::Load(std::string{text});
  } catch (const YAML::Exception& ex) {
    located_error err;
    err.file = file_;
    if (!ex.mark.is_null()) {
      err.line = ex.mark.line + 1;
      err.column = ex.mark.column + 1;
    }
    err.message = "invalid YAML: " + ex.msg;
    throw err;
  }
}

void strict_reader::fail(const YAML::Node& at, const std::string& key,
                         const std::string& message) const {
  located_error err;
  err.file = file_;
  if (at.IsDefined() && !at.Mark().is_null()) {
    err.line = at.Mark().line + 1;
    err.column = at.Mark().column + 1;
  }
  err.key = key;
  err.message = message;
  throw err;
}

void strict_reader::check_keys(const YAML::Node& map, const std::string& path,
                               const std::vector<std::string_view>& allowed) const {
  if (!map.IsMap())
    fail(map, path, "must be a mapping");
  for (auto it = map.begin(); it != map.end(); ++it) {
    auto key = it->first.Scalar();
    bool known = false;
    for (auto a : allowed)
      known = known || a == key;
    if (!known)
      fail(it->first, join(path, key),
           fmt::format("unknown key (allowed: {})", fmt::join(allowed, ", ")));
  }
  if (!observer_)
    return;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const auto& mark = it->first.Mark();
    if (!mark.is_null())
      observer_(join(path, it->first.Scalar()), mark.line + 1, mark.column + 1);
  }
}

std::string strict_reader::join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string{key} : path + "." + std::string{key};
}

std::string strict_reader::index(const std::string& path, std::size_t i) {
  return fmt::format("{}[{}]", path, i);
}

std::string strict_reader::string(const YAML::Node& node, const std::string& key) const {
  if (!node.IsScalar())
    fail(node, key, "must be a string");
  return node.Scalar();
}

bool strict_reader::boolean(const YAML::Node& node, const std::string& key) const {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
    fail(node, key, "must be true or false");
  return value;
}

double strict_reader::number(const YAML::Node& node, const std::string& key) const {
  const auto& text = node.IsScalar() && node.Tag() != "!" ? node.Scalar() : std::string{};
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()
      || !std::isfinite(value))
    fail(node, key, "must be a number");
  return value;
}

std::uint64_t strict_reader::unsigned_int(const YAML::Node& node, const std::string& key,
                                          std::uint64_t min, std::uint64_t max) const {
  const auto& text = node.IsScalar() ? node.Scalar() : std::string{};
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value < min
      || value > max)
    fail(node, key, fmt::format("must be a whole number from {} to {}", min, max));
  return value;
}

YAML::Node strict_reader::list(const YAML::Node& node, const std::string& key) const {
  if (node.IsDefined() && !node.IsNull() && !node.IsSequence())
    fail(node, key, "must be a list");
  return node;
}

} // namespace holobroker::yaml
