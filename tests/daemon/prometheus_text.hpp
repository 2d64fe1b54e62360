#pragma once

// A strict reader of the Prometheus text exposition format (0.0.4) for the
// tests: it refuses what a Prometheus server would refuse, and what our own
// conventions forbid (a counter without `_total`, samples before their TYPE,
// a family split in two, histogram buckets that decrease or disagree with
// `_count`), so a test can check both that a scrape parses and what it says.

#include <map>
#include <string>

#include "holobroker/expected.hpp"

namespace holobroker::test {

struct exposition {
  /// `name{label="value",...}` (labels sorted, as printed) -> value.
  std::map<std::string, double> samples;
  /// Family name -> type.
  std::map<std::string, std::string> types;

  /// The value of a sample, or -1 if absent.
  double get(const std::string& key) const {
    auto i = samples.find(key);
    return i == samples.end() ? -1 : i->second;
  }
};

/// The parsed text, or the first line that is wrong and why.
expected<exposition, std::string> parse_exposition(const std::string& text);

} // namespace holobroker::test
