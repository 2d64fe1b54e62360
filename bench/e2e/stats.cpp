#include "stats.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace holobroker::bench {

double percentile_us(std::vector<clock::duration> samples, double q) {
  if (samples.empty())
    return 0;
  auto idx = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * (samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + idx, samples.end());
  return std::chrono::duration<double, std::micro>(samples[idx]).count();
}

std::string spread::to_string(int precision) const {
  return fmt::format("{:.{}f} ({:.{}f}-{:.{}f})", median, precision, min, precision, max,
                     precision);
}

spread summarize(std::vector<double> values) {
  if (values.empty())
    return {};
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values.front(), values.back()};
}

} // namespace holobroker::bench
