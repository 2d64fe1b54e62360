#pragma once

// JSON arguments of `write` and `invoke` as curl takes its data: the text
// itself, `@FILE` (the file's content) or `-` / `@-` (standard input). A
// large payload (a 1 MiB array) exceeds the kernel's argument limit
// (MAX_ARG_STRLEN, 128 KiB per argument) and can only come this way.

#include <istream>
#include <string>

#include "holobroker/expected.hpp"

namespace holobroker::cli {

/// The payload `arg` names; the error says which file could not be read and why.
expected<std::string, std::string> read_payload_argument(const std::string& arg,
                                                         std::istream& stdin_stream);

} // namespace holobroker::cli
