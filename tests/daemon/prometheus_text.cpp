#include "prometheus_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <vector>

namespace holobroker::test {

namespace {

bool name_char(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
         || (!first && c >= '0' && c <= '9');
}

bool valid_name(const std::string& n) {
  if (n.empty())
    return false;
  for (std::size_t i = 0; i < n.size(); ++i)
    if (!name_char(n[i], i == 0))
      return false;
  return true;
}

bool parse_value(const std::string& text, double& out) {
  if (text == "+Inf") {
    out = INFINITY;
    return true;
  }
  if (text == "-Inf") {
    out = -INFINITY;
    return true;
  }
  if (text == "NaN") {
    out = NAN;
    return true;
  }
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

std::string strip_suffix(const std::string& name, const std::string& suffix) {
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(),
                                                  suffix) == 0)
    return name.substr(0, name.size() - suffix.size());
  return {};
}

} // namespace

expected<exposition, std::string> parse_exposition(const std::string& text) {
  exposition out;
  std::set<std::string> finished; // families whose samples ended
  std::string current;            // family of the previous line
  std::istringstream in{text};
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& why) {
    return unexpected<std::string>{"line " + std::to_string(number) + ": " + why + ": " + line};
  };
  if (!text.empty() && text.back() != '\n')
    return unexpected<std::string>{"the exposition does not end with a newline"};
  while (std::getline(in, line)) {
    ++number;
    if (line.empty())
      continue;
    if (line[0] == '#') {
      std::istringstream words{line};
      std::string hash, kind, name, type;
      words >> hash >> kind >> name;
      if (kind != "HELP" && kind != "TYPE")
        continue; // a plain comment
      if (!valid_name(name))
        return fail("bad metric name");
      if (name != current && !current.empty())
        finished.insert(current);
      if (finished.count(name))
        return fail("family " + name + " appears twice");
      current = name;
      if (kind == "TYPE") {
        words >> type;
        static const std::set<std::string> types{"counter", "gauge", "histogram", "summary",
                                                 "untyped"};
        if (!types.count(type))
          return fail("unknown type");
        if (out.types.count(name))
          return fail("second TYPE");
        if (type == "counter" && strip_suffix(name, "_total").empty())
          return fail("counter without _total");
        out.types[name] = type;
      }
      continue;
    }
    std::size_t i = 0;
    while (i < line.size() && name_char(line[i], i == 0))
      ++i;
    auto name = line.substr(0, i);
    if (!valid_name(name))
      return fail("bad metric name");
    std::vector<std::pair<std::string, std::string>> labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        auto start = i;
        while (i < line.size() && name_char(line[i], i == start))
          ++i;
        auto label = line.substr(start, i - start);
        if (label.empty() || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"')
          return fail("bad label");
        i += 2;
        std::string value;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') {
            if (++i >= line.size())
              return fail("bad escape");
            char c = line[i];
            if (c != '\\' && c != '"' && c != 'n')
              return fail("bad escape");
            value += c == 'n' ? '\n' : c;
          } else {
            value += line[i];
          }
        }
        if (i >= line.size())
          return fail("unterminated label value");
        ++i; // closing quote
        labels.emplace_back(label, value);
        if (i < line.size() && line[i] == ',')
          ++i;
      }
      if (i >= line.size())
        return fail("unterminated labels");
      ++i; // '}'
    }
    if (i >= line.size() || line[i] != ' ')
      return fail("no value");
    std::istringstream rest{line.substr(i + 1)};
    std::string value_text, timestamp;
    rest >> value_text >> timestamp;
    double value = 0;
    if (!parse_value(value_text, value))
      return fail("bad value");
    // The family: the name itself, or a histogram's name without its suffix.
    std::string family = name;
    if (!out.types.count(family))
      for (const char* suffix : {"_bucket", "_sum", "_count"})
        if (auto base = strip_suffix(name, suffix);
            !base.empty() && out.types.count(base) && out.types[base] == "histogram")
          family = base;
    if (!out.types.count(family))
      return fail("sample without a TYPE line before it");
    if (family != current)
      return fail("sample outside its family's block");
    if (out.types[family] == "counter" && value < 0)
      return fail("negative counter");
    std::string key = name;
    if (!labels.empty()) {
      std::sort(labels.begin(), labels.end());
      key += "{";
      for (std::size_t k = 0; k < labels.size(); ++k)
        key += (k ? "," : "") + labels[k].first + "=\"" + labels[k].second + "\"";
      key += "}";
    }
    if (out.samples.count(key))
      return fail("duplicate sample");
    out.samples[key] = value;
  }
  // Histograms: buckets grow with `le` and +Inf equals _count.
  for (const auto& [family, type] : out.types) {
    if (type != "histogram")
      continue;
    std::map<std::string, std::vector<std::pair<double, double>>> series; // other labels -> (le, n)
    for (const auto& [key, value] : out.samples) {
      if (key.rfind(family + "_bucket{", 0) != 0)
        continue;
      auto le_at = key.find("le=\"");
      if (le_at == std::string::npos)
        return unexpected<std::string>{"bucket without le: " + key};
      auto le_end = key.find('"', le_at + 4);
      double le = 0;
      if (!parse_value(key.substr(le_at + 4, le_end - le_at - 4), le))
        return unexpected<std::string>{"bad le: " + key};
      auto others = key.substr(0, le_at) + key.substr(le_end + 1);
      series[others].emplace_back(le, value);
    }
    for (auto& [others, buckets] : series) {
      std::sort(buckets.begin(), buckets.end());
      for (std::size_t k = 1; k < buckets.size(); ++k)
        if (buckets[k].second < buckets[k - 1].second)
          return unexpected<std::string>{"decreasing buckets in " + others};
      if (buckets.empty() || !std::isinf(buckets.back().first))
        return unexpected<std::string>{"no +Inf bucket in " + others};
    }
  }
  return out;
}

} // namespace holobroker::test
