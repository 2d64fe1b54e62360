#include "holobroker/zmq/multipart_io.hpp"

#include <cstring>
#include <memory>

namespace holobroker::zmqio {

wire::shared_bytes adopt(zmq::message_t&& msg) {
  if (msg.size() == 0)
    return wire::empty_frame();
  auto owner = std::make_shared<zmq::message_t>(std::move(msg));
  const auto* data = static_cast<const char*>(owner->data());
  auto size = owner->size();
  return wire::shared_bytes{std::move(owner), data, size};
}

namespace {

void release_shared(void*, void* hint) {
  delete static_cast<std::shared_ptr<const void>*>(hint);
}

} // namespace

zmq::message_t to_message(const wire::shared_bytes& bytes) {
  if (bytes.size() < zero_copy_threshold || !bytes.owner())
    return zmq::message_t{bytes.data(), bytes.size()};
  // libzmq keeps the frame until it is written out; the heap-allocated
  // shared_ptr copy keeps the bytes alive until then.
  auto* keep = new std::shared_ptr<const void>(bytes.owner());
  zmq::message_t msg;
  int rc = zmq_msg_init_data(msg.handle(), const_cast<char*>(bytes.data()), bytes.size(),
                             &release_shared, keep);
  if (rc != 0) {
    delete keep;
    throw zmq::error_t{};
  }
  return msg;
}

send_status send_multipart(zmq::socket_t& socket, const wire::multipart& frames,
                           bool dontwait) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto flags = zmq::send_flags::none;
    if (dontwait)
      flags = flags | zmq::send_flags::dontwait;
    if (i + 1 < frames.size())
      flags = flags | zmq::send_flags::sndmore;
    auto msg = to_message(frames[i]);
    int rc = zmq_msg_send(msg.handle(), socket.handle(), static_cast<int>(flags));
    if (rc < 0) {
      int err = zmq_errno();
      // Only the first frame can fail with these; libzmq then has sent nothing.
      if (err == EAGAIN)
        return send_status::would_block;
      if (err == EHOSTUNREACH)
        return send_status::unroutable;
      throw zmq::error_t{};
    }
  }
  return send_status::sent;
}

std::optional<wire::multipart> recv_multipart(zmq::socket_t& socket) {
  std::string ignored;
  return recv_multipart(socket, ignored);
}

std::optional<wire::multipart> recv_multipart(zmq::socket_t& socket, std::string& user_id) {
  wire::multipart frames;
  bool found = false;
  user_id.clear();
  for (;;) {
    zmq::message_t msg;
    auto got = socket.recv(msg, frames.empty() ? zmq::recv_flags::dontwait
                                               : zmq::recv_flags::none);
    if (!got)
      return std::nullopt; // EAGAIN on the first frame: nothing waiting
    bool more = msg.more();
    if (!found) {
      // The first frame with metadata: a ROUTER that prefetched (ZMQ_EVENTS,
      // poll) hands out the identity frame as a copy without it.
      // zmq_msg_gets, not message_t::gets: no metadata is not an error here.
      if (const char* id = zmq_msg_gets(msg.handle(), "User-Id")) {
        user_id = id;
        found = true;
      }
    }
    frames.push_back(adopt(std::move(msg)));
    if (!more)
      return frames;
  }
}

bool readable(zmq::socket_t& socket) {
  return (socket.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
}

} // namespace holobroker::zmqio
