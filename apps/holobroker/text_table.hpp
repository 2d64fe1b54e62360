#pragma once

// Aligned text tables for the CLI's human-readable output (describe, watch).

#include <string>
#include <vector>

namespace holobroker::cli {

/// `header` and `rows` as columns padded to their widest cell, two spaces
/// apart, each line indented by two spaces; trailing blanks trimmed.
std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows);

} // namespace holobroker::cli
