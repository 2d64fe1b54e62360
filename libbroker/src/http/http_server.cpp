#include "holobroker/http/http_server.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/http/fleet_page.hpp"
#include "holobroker/http/metrics_text.hpp"

namespace holobroker::http {

namespace {

/// Two workers: a keep-alive connection (Prometheus, the page) holds its
/// worker until it goes idle, and one slow client must not block the other.
constexpr std::size_t workers = 2;

void unavailable(httplib::Response& res, const std::string& why) {
  spdlog::warn("http: status unavailable: {}", why);
  res.status = 503;
  res.set_content("holobrokerd: status unavailable: " + why + "\n", "text/plain; charset=utf-8");
}

} // namespace

expected<std::unique_ptr<http_server>, std::string>
http_server::start(const std::string& host, std::uint16_t port, status_source status) {
  std::unique_ptr<http_server> self{new http_server};
  self->host_ = host;
  self->server_ = std::make_unique<httplib::Server>();
  auto& svr = *self->server_;
  svr.new_task_queue = [] { return new httplib::ThreadPool(workers); };
  // Bounded: a client that stops reading or writing is dropped.
  svr.set_read_timeout(5, 0);
  svr.set_write_timeout(5, 0);
  svr.set_keep_alive_timeout(2);
  svr.set_keep_alive_max_count(100);
  svr.Get("/metrics", [status](const httplib::Request&, httplib::Response& res) {
    auto doc = status();
    if (!doc)
      return unavailable(res, doc.error());
    auto parsed = nlohmann::json::parse(*doc, nullptr, false);
    res.set_content(metrics_text(parsed), "text/plain; version=0.0.4; charset=utf-8");
  });
  svr.Get("/status", [status](const httplib::Request&, httplib::Response& res) {
    auto doc = status();
    if (!doc)
      return unavailable(res, doc.error());
    res.set_header("Cache-Control", "no-store");
    res.set_content(*doc + "\n", "application/json");
  });
  svr.Get("/", [status](const httplib::Request&, httplib::Response& res) {
    auto doc = status();
    // The page also renders without a first document and keeps fetching.
    res.set_header("Cache-Control", "no-store");
    res.set_content(fleet_page(doc ? *doc : std::string{"null"}), "text/html; charset=utf-8");
  });
  svr.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("http: {} {} from {} -> {}", req.method, req.path, req.remote_addr, res.status);
  });
  int bound = port == 0 ? svr.bind_to_any_port(host) : (svr.bind_to_port(host, port) ? port : -1);
  if (bound <= 0)
    return unexpected<std::string>{"cannot listen on " + host + ":" + std::to_string(port) + ": "
                                   + std::strerror(errno)};
  self->port_ = static_cast<std::uint16_t>(bound);
  self->thread_ = std::thread{[&svr] { svr.listen_after_bind(); }};
  // stop() is a no-op until the accept loop runs (cpp-httplib 0.11 has no
  // wait_until_ready): wait for it, so that the destructor always stops it.
  for (int i = 0; i < 2000 && !svr.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  return self;
}

http_server::~http_server() {
  if (server_)
    server_->stop();
  if (thread_.joinable())
    thread_.join();
}

std::string http_server::url() const {
  auto host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  return "http://" + host + ":" + std::to_string(port_);
}

} // namespace holobroker::http
