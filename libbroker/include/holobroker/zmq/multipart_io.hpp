#pragma once

// Moving hololinked multipart messages between wire::multipart and libzmq
// sockets without copying large payloads: received frames are adopted
// (the zmq message is kept alive by the shared_bytes), and frames of
// `zero_copy_threshold` bytes or more are handed to libzmq by reference.

#include <cstddef>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "holobroker/wire/frames.hpp"

namespace holobroker::zmqio {

/// Frames smaller than this are copied (cheaper than a shared allocation).
inline constexpr std::size_t zero_copy_threshold = 1024;

/// Wraps a received zmq message as shared bytes without copying it.
wire::shared_bytes adopt(zmq::message_t&& msg);

/// A zmq message for `bytes`: copied when small, shared otherwise.
zmq::message_t to_message(const wire::shared_bytes& bytes);

enum class send_status {
  sent,
  would_block,   ///< EAGAIN with ZMQ_DONTWAIT: nothing was sent
  unroutable,    ///< EHOSTUNREACH from a ROUTER_MANDATORY socket: nothing was sent
};

/// Sends all frames; with `dontwait` never blocks. Throws zmq::error_t only for
/// errors other than EAGAIN/EHOSTUNREACH (e.g. ETERM).
send_status send_multipart(zmq::socket_t& socket, const wire::multipart& frames,
                           bool dontwait = true);

/// Receives one whole multipart message without blocking; nullopt if none.
std::optional<wire::multipart> recv_multipart(zmq::socket_t& socket);

/// The same, and `user_id` = the message's "User-Id" metadata (what the ZAP
/// handler said about the connection; empty when no ZAP ran). Read from the
/// zmq_msg_t before it is adopted: the metadata is not in the bytes.
std::optional<wire::multipart> recv_multipart(zmq::socket_t& socket, std::string& user_id);

/// Whether the socket has a message waiting (re-check after every wake-up
/// and every send: ZMQ_FD is edge-triggered).
bool readable(zmq::socket_t& socket);

} // namespace holobroker::zmqio
