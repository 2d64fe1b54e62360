// Design of thing-sim's main loop
// ================================
// thing-sim is a test and demo tool, not an actor system: one thread runs
// everything. The loop blocks in zmq::poll() over the ROUTER socket of every
// server and transport plus two plain file descriptors (an eventfd for
// request_stop() and a signalfd for SIGINT/SIGTERM), with the poll timeout set
// to the earliest deadline of a timer_queue (a min-heap). Each wake-up drains
// a bounded batch of messages per readable socket, then runs the due timers.
//
// A Thing executes one operation at a time, like a hololinked Thing's worker:
// instantaneous operations (property reads/writes, most actions) are answered
// straight from the socket handler; an operation that takes simulated time
// (sleep, acquire, added latency) marks its Thing busy and schedules its
// completion as a timer, and later requests for that Thing wait in the Thing's
// FIFO queue. Invokation and execution timeouts are timers too, armed only
// when they can matter (a queued request, a non-instantaneous operation), so
// the hot read/echo path never touches the heap. There are no threads per
// Thing and no busy polling; a 1000-Thing fleet is 1000 queues in one loop.
//
// Sockets are only touched by this thread. Restart faults close and rebind
// sockets from a timer (never while a socket is being read) and mark the poll
// set dirty, so it is rebuilt before the next poll.

#include "simulator.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "holobroker/wire/address.hpp"

namespace holobroker::sim {

simulator::simulator(sim_config cfg, zmq::context_t* ctx) : cfg_(std::move(cfg)) {
  if (!ctx) {
    own_ctx_ = std::make_unique<zmq::context_t>(1);
    // Up to four sockets per server (ROUTER + PUB on IPC/TCP and INPROC);
    // libzmq's default cap of 1023 would stop fleets of a few hundred servers.
    auto needed = 4 * static_cast<int>(cfg_.servers.size()) + 64;
    own_ctx_->set(zmq::ctxopt::max_sockets, std::max(needed, ZMQ_MAX_SOCKETS_DFLT));
    ctx = own_ctx_.get();
  }
  ctx_ = ctx;
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0)
    throw std::runtime_error("eventfd failed");
  auto temp_dir = cfg_.temp_dir.empty() ? wire::default_temp_dir() : cfg_.temp_dir;
  int tcp_port = 0;
  std::string tcp_host;
  if (cfg_.tcp) {
    auto colon = cfg_.tcp->rfind(':');
    if (colon == std::string::npos)
      throw std::runtime_error("--tcp " + *cfg_.tcp + ": expected HOST:PORT");
    tcp_host = cfg_.tcp->substr(0, colon);
    try {
      tcp_port = std::stoi(cfg_.tcp->substr(colon + 1));
    } catch (const std::exception&) {
      throw std::runtime_error("--tcp " + *cfg_.tcp + ": port is not a number");
    }
  }
  unsigned seed = cfg_.seed;
  for (std::size_t i = 0; i < cfg_.servers.size(); ++i) {
    server_options opts;
    opts.temp_dir = temp_dir;
    opts.ipc = cfg_.ipc;
    if (cfg_.tcp) // a fixed port P gives server i the ports P+2i and P+2i+1
      opts.tcp = tcp_port == 0 ? *cfg_.tcp
                               : tcp_host + ":" + std::to_string(tcp_port + 2 * static_cast<int>(i));
    opts.seed = seed;
    seed += static_cast<unsigned>(cfg_.servers[i].things.size());
    opts.on_exit = [](int code) {
      std::fflush(stdout);
      std::_Exit(code); // a crash, as far as clients can tell
    };
    opts.on_sockets_changed = [this] { items_dirty_ = true; };
    servers_.push_back(
      std::make_unique<sim_server>(*ctx_, cfg_.servers[i], std::move(opts), timers_));
  }
}

simulator::~simulator() {
  servers_.clear(); // closes sockets, removes IPC files
  if (stop_fd_ >= 0)
    ::close(stop_fd_);
  if (signal_fd_ >= 0)
    ::close(signal_fd_);
}

void simulator::bind() {
  for (auto& s : servers_)
    s->bind();
  items_dirty_ = true;
}

std::vector<std::string> simulator::listening_lines() const {
  std::vector<std::string> lines;
  for (const auto& s : servers_)
    for (const auto& ep : s->endpoints())
      if (ep->kind != transport::inproc)
        lines.push_back("server " + s->id() + " " + ep->request_address + " events "
                        + ep->event_address);
  return lines;
}

std::optional<std::string> simulator::apply_fault(const std::string& thing,
                                                  const fault_spec& spec) {
  bool any = false;
  for (auto& s : servers_) {
    if (thing != "*" && !s->find_thing(thing))
      continue;
    if (auto err = s->apply_fault(thing, spec))
      return err;
    any = true;
  }
  if (!any)
    return "no server hosts a Thing \"" + thing + "\"";
  return std::nullopt;
}

sim_server* simulator::find_server(std::string_view id) {
  for (auto& s : servers_)
    if (s->id() == id)
      return s.get();
  return nullptr;
}

void simulator::request_stop() noexcept {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one);
}

void simulator::rebuild_poll_items() {
  items_.clear();
  item_owner_.clear();
  items_.push_back(zmq::pollitem_t{nullptr, stop_fd_, ZMQ_POLLIN, 0});
  item_owner_.emplace_back(nullptr, nullptr);
  if (signal_fd_ >= 0) {
    items_.push_back(zmq::pollitem_t{nullptr, signal_fd_, ZMQ_POLLIN, 0});
    item_owner_.emplace_back(nullptr, nullptr);
  }
  for (auto& s : servers_)
    for (auto& ep : s->endpoints())
      if (ep->router) {
        items_.push_back(zmq::pollitem_t{ep->router->handle(), 0, ZMQ_POLLIN, 0});
        item_owner_.emplace_back(s.get(), ep.get());
      }
  items_dirty_ = false;
}

int simulator::run(bool handle_signals) {
  if (handle_signals && signal_fd_ < 0) {
    // The signals are blocked by main() before any thread starts (libzmq's
    // I/O threads inherit the mask), so they are only seen here.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    signal_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signal_fd_ < 0)
      throw std::runtime_error("signalfd failed");
    items_dirty_ = true;
  }
  for (;;) {
    if (items_dirty_)
      rebuild_poll_items();
    long timeout_ms = -1;
    if (auto next = timers_.next_deadline()) {
      auto left = *next - timer_queue::clock::now();
      // Round up: waking early would spin until the deadline.
      timeout_ms = std::max<long>(
        0, static_cast<long>(
             std::chrono::ceil<std::chrono::milliseconds>(left).count()));
    }
    try {
      zmq::poll(items_.data(), items_.size(), std::chrono::milliseconds{timeout_ms});
    } catch (const zmq::error_t& ex) {
      if (ex.num() == EINTR)
        continue;
      throw;
    }
    for (std::size_t i = 0; i < items_.size() && !items_dirty_; ++i) {
      if ((items_[i].revents & ZMQ_POLLIN) == 0)
        continue;
      auto [server, ep] = item_owner_[i];
      if (server) {
        server->on_readable(*ep);
        continue;
      }
      if (items_[i].fd == stop_fd_) {
        spdlog::info("stop requested");
        return 0;
      }
      signalfd_siginfo info{};
      if (::read(signal_fd_, &info, sizeof info) == sizeof info) {
        spdlog::info("received signal {}, shutting down", info.ssi_signo);
        return 0;
      }
    }
    timers_.run_due(timer_queue::clock::now());
  }
}

} // namespace holobroker::sim
