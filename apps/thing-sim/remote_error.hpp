#pragma once

// The simulated counterpart of a Python exception raised inside a real
// hololinked Thing: its type name ("ValueError", "KeyError", ...) and message
// end up in the `{"exception":{...}}` payload of an EXCEPTION reply.

#include <string>

#include "holobroker/wire/remote_exception.hpp"

namespace holobroker::sim {

struct remote_error {
  std::string type;
  std::string message;
};

/// EXCEPTION payload shaped like the real server's: a Python-style traceback
/// (list of strings ending in "<type>: <message>") naming where it was raised.
wire::remote_exception to_remote_exception(const remote_error& err, std::string_view where);

/// INVALID_MESSAGE payload: the real server's traceback is `["NoneType: None"]`.
wire::remote_exception to_invalid_message(const remote_error& err);

} // namespace holobroker::sim
