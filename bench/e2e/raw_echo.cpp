#include "raw_echo.hpp"

#include <thread>

#include <zmq.hpp>

#include "holobroker/wire/response.hpp"
#include "holobroker/zmq/multipart_io.hpp"
#include "raw_client.hpp"

namespace holobroker::bench {

namespace {

constexpr const char* server_id = "raw-echo-server";

// Answers every 5-frame message with a REPLY-sized header and the request's
// payload and preserialized frames; anything shorter stops it.
void echo_server(zmq::socket_t server, wire::shared_bytes reply_header) {
  wire::multipart frames;
  for (;;) {
    frames.clear();
    for (;;) {
      zmq::message_t msg;
      (void) server.recv(msg, zmq::recv_flags::none);
      bool more = msg.more();
      frames.push_back(zmqio::adopt(std::move(msg)));
      if (!more)
        break;
    }
    if (frames.size() < 5)
      return;
    zmqio::send_multipart(server,
                          {frames[0], wire::empty_frame(), reply_header, frames[3], frames[4]},
                          false);
  }
}

} // namespace

path_figures run_raw_echo(const std::string& transport, const workload& w,
                          const std::string& work_dir, int window) {
  // Two contexts, as between two processes: each side has its own I/O
  // thread. (One shared context would let a single I/O thread serve both
  // ends and make the "wire" faster than any real client/server pair.)
  zmq::context_t server_ctx;
  zmq::context_t client_ctx;
  zmq::socket_t server{server_ctx, zmq::socket_type::router};
  server.set(zmq::sockopt::routing_id, server_id);
  server.set(zmq::sockopt::linger, 0);
  server.set(zmq::sockopt::sndhwm, 0);
  server.set(zmq::sockopt::rcvhwm, 0);
  if (transport == "ipc")
    server.bind("ipc://" + work_dir + "/raw-echo.ipc");
  else
    server.bind("tcp://127.0.0.1:0");
  auto endpoint = server.get(zmq::sockopt::last_endpoint);

  // The reply header the real server would send for this request.
  auto sample = make_request(w, "raw-echo-client", server_id, "spectrometer");
  auto reply = wire::make_response(wire::message_type::reply, sample.header, server_id);
  auto reply_header = wire::shared_bytes::from_string(wire::encode(reply.header));
  std::thread server_thread{echo_server, std::move(server), reply_header};

  path_figures fig;
  {
    raw_client client{client_ctx, "raw-echo-client", endpoint, server_id};
    client.handshake(std::chrono::seconds{10});
    fig = client.measure(client.request_pool(w, {"spectrometer"}), w, window);
    client.send(
      {wire::shared_bytes::copy_of(server_id), wire::shared_bytes::copy_of("stop")});
  }
  server_thread.join();
  return fig;
}

} // namespace holobroker::bench
