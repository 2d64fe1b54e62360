#include "text_table.hpp"

#include <algorithm>

namespace holobroker::cli {

std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows)
      width[c] = std::max(width[c], c < r.size() ? r[c].size() : 0);
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < header.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : std::string{};
      text += cell;
      if (c + 1 < header.size())
        text += std::string(width[c] - cell.size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    out += "  " + text + "\n";
  };
  line(header);
  for (const auto& r : rows)
    line(r);
  return out;
}

} // namespace holobroker::cli
