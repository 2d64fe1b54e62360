#pragma once

// libzmq binds an ipc:// address by unlinking whatever file is there, so a
// second daemon would silently steal the first one's socket. Before binding
// we therefore probe the file: if a process accepts connections on it, the
// address is in use; if nobody does, the file is stale and may go.

#include <string>
#include <string_view>

#include "holobroker/expected.hpp"

namespace holobroker::broker {

/// The file system path of an `ipc://PATH` address; empty for other schemes.
std::string ipc_path_of(std::string_view address);

/// Ok when `address` is not IPC, or its file is absent or stale (then removed,
/// and its directory created if missing). Error "address in use by another
/// process: ipc://..." when something listens there.
expected<bool, std::string> claim_ipc_endpoint(std::string_view address);

/// Removes the socket file of an IPC address (at shutdown); ignores errors.
void release_ipc_endpoint(std::string_view address);

} // namespace holobroker::broker
