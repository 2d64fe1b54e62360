#pragma once

// A raw ZeroMQ ROUTER client that speaks hololinked's frames as a golden
// capture shows them (frame 0 = server routing id), for black-box tests of
// thing-sim. Every wait is bounded.

#include <chrono>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "holobroker/wire/frames.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/response.hpp"

namespace holobroker::test {

class raw_client {
public:
  raw_client(zmq::context_t& ctx, const std::string& identity, const std::string& address);

  const std::string& identity() const noexcept { return identity_; }

  void send(const wire::multipart& frames);

  /// The next message within `timeout`, or nullopt.
  std::optional<wire::multipart> recv(std::chrono::milliseconds timeout);

  /// Sends HANDSHAKEs (a new one every 100 ms, like the reference client but
  /// faster) until the server answers; false after `timeout`. Other replies
  /// that arrive meanwhile are discarded.
  bool handshake(const std::string& server_id,
                 std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// Sends `req` and waits for the reply with its messageID (others are
  /// discarded); nullopt after `timeout`.
  std::optional<wire::response> call(const std::string& server_id, const wire::request& req,
                                     std::chrono::milliseconds timeout = std::chrono::seconds{10});

  /// Waits for a reply with `message_id`.
  std::optional<wire::response> await(const std::string& message_id,
                                      std::chrono::milliseconds timeout);

  zmq::socket_t& socket() noexcept { return socket_; }

private:
  std::string identity_;
  zmq::socket_t socket_;
};

/// An OPERATION from `client` as ObjectProxy sends it.
wire::request operation(const std::string& client, const std::string& server,
                        const std::string& thing, const std::string& objekt,
                        const std::string& op, const std::string& payload = "null",
                        const wire::server_execution_context& ctx
                        = wire::default_operation_context());

} // namespace holobroker::test
