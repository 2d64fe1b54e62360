#include "remote_error.hpp"

#include <fmt/format.h>

namespace holobroker::sim {

wire::remote_exception to_remote_exception(const remote_error& err, std::string_view where) {
  wire::remote_exception ex;
  ex.message = err.message;
  ex.type = err.type;
  ex.traceback = {"Traceback (most recent call last):",
                  fmt::format("  File \"thing-sim\", in {}", where),
                  fmt::format("{}: {}", err.type, err.message)};
  return ex;
}

wire::remote_exception to_invalid_message(const remote_error& err) {
  wire::remote_exception ex;
  ex.message = err.message;
  ex.type = err.type;
  ex.traceback = {"NoneType: None"};
  return ex;
}

} // namespace holobroker::sim
