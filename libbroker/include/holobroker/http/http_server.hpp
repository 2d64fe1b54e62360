#pragma once

// holobrokerd's HTTP endpoint for operators (config `broker.http`, off
// unless configured, loopback by default), on cpp-httplib:
//   GET /metrics  Prometheus text exposition (metrics_text.hpp)
//   GET /status   the status document, as `holobroker status` prints it
//   GET /         a small self-refreshing page of the fleet (fleet_page.hpp)
//
// It runs on its own threads (cpp-httplib's accept loop and a pool of two
// workers), never touches a ZMQ socket and knows nothing of actors: every
// request asks `status_source`, which the daemon binds to
// broker_node::status() (a scoped actor with a bounded timeout). Status
// errors become 503 with the reason as text.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "holobroker/expected.hpp"

namespace httplib {
class Server;
} // namespace httplib

namespace holobroker::http {

/// Answers the status document (JSON text) or why it could not.
using status_source = std::function<expected<std::string, std::string>()>;

class http_server {
public:
  /// Binds host:port (0 = any free port) and starts serving; the error
  /// names the address ("cannot listen on 127.0.0.1:80: ...").
  static expected<std::unique_ptr<http_server>, std::string>
  start(const std::string& host, std::uint16_t port, status_source status);

  /// Stops accepting, finishes the requests being served, joins the threads.
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// `http://HOST:PORT` (IPv6 hosts in brackets).
  std::string url() const;

private:
  http_server() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string host_;
  std::uint16_t port_ = 0;
};

} // namespace holobroker::http
