#pragma once

// A Thing Description fetched through the broker must send its reader back
// to the broker, not to the Thing's server: every ZMQ form's href is
// replaced by the broker's front-end address (operations) or event
// publisher address (subscribeevent/observeproperty), on the same transport
// as the original href (ipc:// stays IPC, tcp:// stays TCP when the broker
// listens on TCP). Forms of other protocols (http://...) are left alone.

#include <string>
#include <string_view>

#include "holobroker/expected.hpp"

namespace holobroker::broker {

/// Where the broker listens; empty = not listening on that transport.
struct broker_endpoints {
  std::string request_ipc;
  std::string request_tcp;
  std::string event_ipc;
  std::string event_tcp;
};

/// The rewritten TD (compact JSON), or an error naming why `td_json` is not
/// a Thing Description (then the caller passes the reply on unchanged).
expected<std::string, std::string> rewrite_thing_description(std::string_view td_json,
                                                             const broker_endpoints& ep);

} // namespace holobroker::broker
