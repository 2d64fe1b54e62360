#include "caf_echo.hpp"

#include <algorithm>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "holobroker/broker/actor_system_settings.hpp"
#include "holobroker/client/client.hpp"
#include "stats.hpp"

namespace holobroker::bench {

namespace {

struct echo_config : caf::actor_system_config {
  echo_config() {
    client::add_message_types(*this);
    load<caf::io::middleman>();
    broker::apply_daemon_actor_settings(*this);
  }
};

caf::behavior echo_actor() {
  return {
    [](client::execute_atom, client::operation_request& req) {
      client::operation_reply rep;
      rep.payload = req.payload;
      rep.preserialized = req.preserialized;
      return rep;
    },
  };
}

} // namespace

path_figures run_caf_echo(const workload& w, int window) {
  echo_config server_cfg;
  echo_config client_cfg;
  caf::actor_system server{server_cfg};
  caf::actor_system client_sys{client_cfg};
  auto echo = server.spawn(echo_actor);
  auto port = server.middleman().publish(echo, 0, "127.0.0.1", true);
  if (!port)
    throw std::runtime_error("caf echo: cannot publish: " + server.render(port.error()));
  auto remote = client_sys.middleman().remote_actor("127.0.0.1", *port);
  if (!remote)
    throw std::runtime_error("caf echo: cannot connect: " + client_sys.render(remote.error()));

  client::operation_request op;
  op.thing_id = "spectrometer";
  op.objekt = w.objekt;
  op.operation = w.operation;
  op.payload = w.payload;
  op.preserialized = w.preserialized;
  auto fail = [](const caf::error& err) {
    throw std::runtime_error("caf echo: " + caf::to_string(err));
  };

  path_figures fig;
  caf::scoped_actor self{client_sys};
  auto ask = [&] {
    self->request(*remote, std::chrono::seconds{30}, client::execute_atom_v, op)
      .receive([](client::operation_reply&) {}, fail);
  };
  auto warm = std::max<std::size_t>(w.rtt_iterations / 10, 20);
  for (std::size_t i = 0; i < warm; ++i)
    ask();
  std::vector<clock::duration> rtts;
  rtts.reserve(w.rtt_iterations);
  for (std::size_t i = 0; i < w.rtt_iterations; ++i) {
    auto t0 = clock::now();
    ask();
    rtts.push_back(clock::now() - t0);
  }
  fig.rtt_p50_us = percentile_us(rtts, 0.50);
  fig.rtt_p99_us = percentile_us(rtts, 0.99);

  // Pipelined: asynchronous messages, whose results CAF sends back as
  // ordinary messages, `window` in flight.
  auto in_window = static_cast<std::size_t>(window);
  std::size_t sent = 0;
  std::size_t received = 0;
  auto t0 = clock::now();
  for (; sent < w.pipelined && sent < in_window; ++sent)
    self->send(*remote, client::execute_atom_v, op);
  while (received < w.pipelined) {
    self->receive([](client::operation_reply&) {},
                  caf::after(std::chrono::seconds{30}) >> [] {
                    throw std::runtime_error("caf echo: no answer within 30 s");
                  });
    ++received;
    if (sent < w.pipelined) {
      self->send(*remote, client::execute_atom_v, op);
      ++sent;
    }
  }
  double secs = std::chrono::duration<double>(clock::now() - t0).count();
  fig.throughput_rps = static_cast<double>(w.pipelined) / secs;
  fig.bandwidth_mib_s = fig.throughput_rps * 2.0 * static_cast<double>(w.size)
                        / (1024.0 * 1024.0);
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
  return fig;
}

} // namespace holobroker::bench
