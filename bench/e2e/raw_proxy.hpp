#pragma once

// The `raw-proxy` path: the minimal hololinked-compatible forwarder, written
// for the benchmark as the yardstick of holobrokerd's request path (issue 10).
// One thread, one zmq_poll loop, a ROUTER on each side:
//   front (bound, routing id = the proxy's id): answers HANDSHAKE itself,
//     drops EXIT (it would stop the server for everyone), forwards anything
//     else upstream with senderID rewritten to the proxy's upstream identity
//     (the server routes replies by senderID) and remembers
//     messageID -> client routing id;
//   back (connected to one server, routing id = upstream id): handshakes
//     once at start; each reply's messageID finds the client, receiverID is
//     set back to that client's id and the frames go out unchanged otherwise.
// No codec, no actors, no allocation beyond the id map and the rewritten
// header: what any forwarder has to do at the least. It runs as a child
// process (the bench binary started in a hidden mode), as holobrokerd does,
// so neither shares the bench's CPU time or libzmq context.

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"

namespace holobroker::bench {

using test::child_process;

struct raw_proxy_options {
  std::string bind;        ///< front end: ipc://… or tcp://127.0.0.1:0
  std::string proxy_id;    ///< routing id clients address (and senderID of its HANDSHAKE replies)
  std::string upstream;    ///< the server's request address
  std::string server_id;   ///< the server's routing id
  std::string upstream_id; ///< the proxy's routing id towards the server
};

/// The hidden command line mode of holobroker-bench that runs the proxy.
inline constexpr std::string_view raw_proxy_mode = "--raw-proxy-child";

/// Runs the proxy in this process until it is killed: handshakes upstream,
/// binds, prints "frontend <address>" and "ready" on stdout, then forwards.
/// Returns a process exit code (non-zero with a message on stderr when
/// the server cannot be reached or the address not bound).
int run_raw_proxy(const raw_proxy_options& opts);

/// `run_raw_proxy` from the hidden mode's arguments (after `raw_proxy_mode`):
/// bind proxy_id upstream server_id upstream_id.
int raw_proxy_main(const std::vector<std::string>& args);

/// The proxy as a child process of the benchmark (the bench binary itself,
/// `program`, in its hidden mode).
class raw_proxy_process {
public:
  /// Starts it and waits for `ready`; throws naming the log file.
  raw_proxy_process(const std::string& program, const raw_proxy_options& opts,
                    const std::string& log_file);

  /// The address the front end is bound to.
  const std::string& frontend() const noexcept { return frontend_; }
  const std::string& proxy_id() const noexcept { return id_; }

private:
  std::string id_;
  std::string frontend_;
  std::unique_ptr<child_process> child_;
};

/// The span of a top-level member's value in a JSON object, quotes included
/// for strings.
struct json_span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string_view in(std::string_view text) const { return text.substr(begin, end - begin); }
  /// A string value without its quotes (escapes left as they are).
  std::string_view unquoted(std::string_view text) const {
    return text.substr(begin + 1, end - begin - 2);
  }
};

/// Finds the values of the top-level members `keys` of the JSON object
/// `json` in one pass (a structural scan, not a parse: strings and nesting
/// are skipped, values not validated). `out[i]` is set when `keys[i]` was
/// found; returns false when `json` is not shaped like an object.
bool find_members(std::string_view json, std::span<const std::string_view> keys,
                  std::span<std::optional<json_span>> out);

} // namespace holobroker::bench
