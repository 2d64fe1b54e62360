#include "client_path.hpp"

#include <future>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "holobroker/client/error.hpp"
#include "holobroker/client/type_ids.hpp"
#include "stats.hpp"

namespace holobroker::bench {

namespace {

/// Drives one measurement from inside an actor; the outcome goes to `done`.
struct driver_state {
  static inline const char* name = "holobroker.bench.driver";

  client::client_actor client;
  client::operation_request req;
  std::size_t warm = 0;
  std::size_t rtt_n = 0;
  std::size_t total = 0;
  std::size_t window = 1;
  std::shared_ptr<std::promise<path_figures>> done;

  enum class phase { warm, rtt, pipelined } stage = phase::warm;
  std::size_t count = 0;
  std::size_t sent = 0;
  std::vector<clock::duration> rtts;
  clock::time_point t0;
  path_figures fig;
};

using driver_actor = caf::stateful_actor<driver_state>;

void send_one(driver_actor* self);

void fail(driver_actor* self, const caf::error& err) {
  self->state.done->set_exception(std::make_exception_ptr(
    std::runtime_error("client actor: " + client::describe(err))));
  self->quit();
}

void start_pipelined(driver_actor* self) {
  auto& st = self->state;
  st.stage = driver_state::phase::pipelined;
  st.count = 0;
  st.sent = 0;
  st.t0 = clock::now();
  for (std::size_t i = 0; i < st.window && st.sent < st.total; ++i)
    send_one(self);
}

void on_reply(driver_actor* self, clock::time_point started) {
  auto& st = self->state;
  ++st.count;
  switch (st.stage) {
    case driver_state::phase::warm:
      if (st.count < st.warm) {
        send_one(self);
        return;
      }
      st.stage = driver_state::phase::rtt;
      st.count = 0;
      st.rtts.reserve(st.rtt_n);
      send_one(self);
      return;
    case driver_state::phase::rtt:
      st.rtts.push_back(clock::now() - started);
      if (st.count < st.rtt_n) {
        send_one(self);
        return;
      }
      st.fig.rtt_p50_us = percentile_us(st.rtts, 0.50);
      st.fig.rtt_p99_us = percentile_us(st.rtts, 0.99);
      start_pipelined(self);
      return;
    case driver_state::phase::pipelined:
      if (st.sent < st.total) {
        send_one(self);
        return;
      }
      if (st.count < st.total)
        return;
      auto secs = std::chrono::duration<double>(clock::now() - st.t0).count();
      st.fig.throughput_rps = static_cast<double>(st.total) / secs;
      st.done->set_value(st.fig);
      self->quit();
      return;
  }
}

void send_one(driver_actor* self) {
  auto& st = self->state;
  ++st.sent;
  auto started = clock::now();
  self->request(st.client, caf::infinite, client::execute_atom_v, st.req)
    .then([self, started](const client::operation_reply&) { on_reply(self, started); },
          [self](const caf::error& err) { fail(self, err); });
}

caf::behavior driver(driver_actor* self, client::client_actor client,
                     client::operation_request req, workload w, int window,
                     std::shared_ptr<std::promise<path_figures>> done) {
  auto& st = self->state;
  st.client = std::move(client);
  st.req = std::move(req);
  st.warm = std::max<std::size_t>(w.rtt_iterations / 10, 20);
  st.rtt_n = w.rtt_iterations;
  st.total = w.pipelined;
  st.window = static_cast<std::size_t>(window);
  st.done = std::move(done);
  send_one(self);
  return {[](caf::ok_atom) {}}; // all work is in response handlers
}

template <class T>
T wait_for(caf::actor_system& sys, const client::client_actor& hdl, const char* what) {
  caf::scoped_actor self{sys};
  std::optional<T> out;
  std::string error;
  self->request(hdl, caf::infinite, client::handshake_atom_v)
    .receive([&](T x) { out = x; },
             [&](const caf::error& err) { error = client::describe(err); });
  if (!out)
    throw std::runtime_error(std::string{what} + ": " + error);
  return *out;
}

} // namespace

client::operation_request make_operation_request(const workload& w,
                                                  const std::string& thing_id) {
  client::operation_request req;
  req.thing_id = thing_id;
  req.objekt = w.objekt;
  req.operation = w.operation;
  req.payload = w.payload;
  req.preserialized = w.preserialized;
  return req;
}

client_path::client_path(caf::actor_system& sys,
                         std::shared_ptr<transport::transport_factory> transports,
                         const std::string& address, const std::string& server_id)
  : sys_(sys) {
  client::client_config cfg;
  cfg.server_id = server_id;
  cfg.address = address;
  cfg.handshake_timeout = std::chrono::seconds{20};
  client_ = client::spawn_client(sys, cfg, transports);
  blocking_ = std::make_unique<client::blocking_client>(sys, cfg, transports);
  wait_for<caf::timespan>(sys, client_, "client actor handshake");
  if (auto ok = blocking_->wait_connected(); !ok)
    throw std::runtime_error("blocking client handshake: " + client::describe(ok.error()));
}

client_path::~client_path() {
  caf::anon_send_exit(client_, caf::exit_reason::user_shutdown);
}

path_figures client_path::measure(const workload& w, const std::string& thing_id, int window) {
  auto done = std::make_shared<std::promise<path_figures>>();
  auto result = done->get_future();
  sys_.spawn(driver, client_, make_operation_request(w, thing_id), w, window, done);
  auto fig = result.get();
  fig.bandwidth_mib_s = fig.throughput_rps * 2.0 * static_cast<double>(w.size)
                        / (1024.0 * 1024.0);
  return fig;
}

path_figures client_path::measure_blocking(const workload& w, const std::string& thing_id) {
  auto req = make_operation_request(w, thing_id);
  auto call = [&] {
    auto reply = blocking_->execute(req);
    if (!reply)
      throw std::runtime_error("blocking client: " + client::describe(reply.error()));
  };
  for (std::size_t i = 0, warm = std::max<std::size_t>(w.rtt_iterations / 10, 20); i < warm; ++i)
    call();
  std::vector<clock::duration> rtts;
  rtts.reserve(w.rtt_iterations);
  for (std::size_t i = 0; i < w.rtt_iterations; ++i) {
    auto t0 = clock::now();
    call();
    rtts.push_back(clock::now() - t0);
  }
  path_figures fig;
  fig.rtt_p50_us = percentile_us(rtts, 0.50);
  fig.rtt_p99_us = percentile_us(rtts, 0.99);
  return fig;
}

} // namespace holobroker::bench
