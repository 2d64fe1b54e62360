#pragma once

// One strict way of reading YAML configuration files, shared by the tools
// (thing-sim today; the daemon's config reader has the same rules): every
// accessor checks the node's shape, unknown keys are refused, and a mistake
// is reported as `file:line:column: key: what is wrong`.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace holobroker::yaml {

/// A mistake in a YAML document, with where it is.
struct located_error {
  std::string file;
  int line = 0;   ///< 1-based; 0 when unknown
  int column = 0; ///< 1-based; 0 when unknown
  std::string key; ///< dotted path, e.g. `servers[0].things[1].id`; may be empty
  std::string message;

  /// `file:line:column: key: message` (parts that are unknown left out).
  std::string to_string() const;
};

/// Reads one document; each accessor throws located_error (catch it at the
/// boundary, where a result type is returned).
class strict_reader {
public:
  explicit strict_reader(std::string_view file) : file_(file) {}

  const std::string& file() const noexcept { return file_; }

  /// Parses `text`; invalid YAML throws with the parser's position.
  YAML::Node load(std::string_view text) const;

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key,
                         const std::string& message) const;

  /// Called for every key check_keys accepts, with its dotted path and its
  /// 1-based position, so that a caller can keep where each key is (the
  /// daemon's `config_source`) from the one parse the values come from.
  using key_observer = std::function<void(const std::string& path, int line, int column)>;
  void observe_keys(key_observer observer) { observer_ = std::move(observer); }

  /// Refuses keys not in `allowed`: a typo must not silently fall back to a
  /// default. `map` must be a mapping.
  void check_keys(const YAML::Node& map, const std::string& path,
                  const std::vector<std::string_view>& allowed) const;

  /// `path.key` (`key` alone at the top).
  static std::string join(const std::string& path, std::string_view key);
  /// `path[i]`.
  static std::string index(const std::string& path, std::size_t i);

  std::string string(const YAML::Node& node, const std::string& key) const;
  bool boolean(const YAML::Node& node, const std::string& key) const;
  double number(const YAML::Node& node, const std::string& key) const;
  std::uint64_t unsigned_int(const YAML::Node& node, const std::string& key, std::uint64_t min,
                             std::uint64_t max) const;
  /// A sequence (an absent or null node reads as empty).
  YAML::Node list(const YAML::Node& node, const std::string& key) const;

  /// One of a fixed set of names, e.g. `fail` | `retry_idempotent`.
  template <class Enum>
  Enum choice(const YAML::Node& node, const std::string& key,
              const std::vector<std::pair<std::string_view, Enum>>& options) const {
    auto text = string(node, key);
    std::vector<std::string_view> names;
    for (const auto& [name, value] : options) {
      if (name == text)
        return value;
      names.push_back(name);
    }
    fail(node, key, fmt::format("must be one of {}", fmt::join(names, ", ")));
  }

private:
  std::string file_;
  key_observer observer_;
};

} // namespace holobroker::yaml
