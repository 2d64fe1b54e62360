#pragma once

// A raw libzmq ROUTER client speaking hololinked's 5-frame protocol with
// requests crafted in advance: no actor, no codec work while measuring. It
// drives the raw echo (the limit), thing-sim directly (thing-sim's own
// ceiling) and holobrokerd's front end (the daemon path), so every path is
// measured by the same loop.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "figures.hpp"
#include "stats.hpp"
#include "holobroker/wire/frames.hpp"
#include "workload.hpp"

namespace holobroker::bench {

/// A CURVE client's keys (Z85): the server's public key and the client's pair.
struct curve_client {
  std::string server_public_key;
  std::string public_key;
  std::string secret_key;
};

class raw_client {
public:
  /// Connects a ROUTER with routing id `client_id` to `endpoint`, where a
  /// peer with routing id `server_id` listens; as a CURVE client when
  /// `curve` is given (the keys are set before connect, as libzmq needs).
  raw_client(zmq::context_t& ctx, std::string client_id, const std::string& endpoint,
             std::string server_id, const std::optional<curve_client>& curve = std::nullopt);

  const std::string& client_id() const noexcept { return client_id_; }
  const std::string& server_id() const noexcept { return server_id_; }

  /// HANDSHAKE until the server answers; throws after `timeout`.
  void handshake(std::chrono::milliseconds timeout);

  /// One request, one reply (frames 0..4 as received); throws on timeout.
  wire::multipart call(const wire::multipart& request);

  /// Sends `request` (message id `message_id`) and waits up to `timeout`
  /// for the response with that id (late answers to earlier requests are
  /// skipped); nullopt on timeout. For the polls that time reachability.
  std::optional<wire::multipart> call_within(const wire::multipart& request,
                                             const std::string& message_id,
                                             std::chrono::milliseconds timeout);

  /// Requests crafted for `w`: `count` distinct message ids, Things taken
  /// round-robin from `thing_ids`.
  std::vector<wire::multipart> request_pool(const workload& w,
                                            const std::vector<std::string>& thing_ids,
                                            std::size_t count = 1024) const;

  /// Round trips with one in flight, then `w.pipelined` requests with
  /// `window` in flight, cycling through `pool`. The first reply of each
  /// phase and every 256th are checked to be REPLY (an EXCEPTION or error
  /// throws, naming it: an error path must not be benchmarked by accident).
  /// With a `deadline`, a reply not there by then throws measurement_overrun
  /// (a starved client is a finding, not a hang).
  path_figures measure(const std::vector<wire::multipart>& pool, const workload& w, int window,
                       std::optional<clock::time_point> deadline = std::nullopt);

  /// Round trips only, one in flight (after the same warm-up as measure),
  /// until `w.rtt_iterations` are done or `deadline` passes; `completed`
  /// says how many were timed. A round trip still open at the deadline is
  /// left unanswered (the caller stops using this client then).
  path_figures measure_rtt_until(const std::vector<wire::multipart>& pool, const workload& w,
                                 clock::time_point deadline, std::size_t& completed);

  /// Sends `frames` as they are (frame 0 routes); throws if unroutable.
  void send(const wire::multipart& frames);

private:
  /// Receives one message; checks it is a REPLY when `check`; throws
  /// measurement_overrun when nothing came by `deadline`.
  void receive(bool check, const std::optional<clock::time_point>& deadline = std::nullopt);

  std::string client_id_;
  std::string server_id_;
  zmq::socket_t socket_;
  zmq::message_t scratch_;
};

/// A measurement that did not finish by its deadline.
struct measurement_overrun : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Throws std::runtime_error unless `frames` is a REPLY; the message names
/// what came instead.
void expect_reply(const wire::multipart& frames, const std::string& what);

} // namespace holobroker::bench
