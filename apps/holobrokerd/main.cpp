// holobrokerd: the holobroker daemon. See broker/broker_node.hpp for what
// runs inside; this file adds the command line, logging, signals, systemd
// notifications and the lines on stdout that scripts and tests wait for:
//   frontend <endpoint>   (one per front-end endpoint)
//   events <endpoint>     (one per event publisher endpoint)
//   curve <endpoint>      (the CURVE front end, when configured)
//   curve-events <endpoint> (the event publisher's CURVE endpoint, with it)
//   middleman <port>      (when the router is published)
//   federation <port>     (when broker.federation is configured)
//   http <url>            (when broker.http is configured)
//   ready

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <sys/resource.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "command_line.hpp"
#include "holobroker/broker/broker_node.hpp"
#include "holobroker/broker/type_ids.hpp"
#include "holobroker/broker/actor_system_settings.hpp"
#include "holobroker/config/broker_config.hpp"
#include "holobroker/http/http_server.hpp"
#include "logging_setup.hpp"
#include "service_notifier.hpp"
#include "signal_waiter.hpp"

#ifndef HOLOBROKER_VERSION
#  define HOLOBROKER_VERSION "unknown"
#endif

namespace {

using namespace holobroker;

config::config_result load(const daemon::command_line& cli) {
  auto cfg = config::load_config(cli.config_file);
  if (cfg && cli.log_level)
    cfg->logging.level = *cli.log_level;
  return cfg;
}

/// A fleet needs a few descriptors per Thing (sockets, monitor pipes): use
/// the hard limit instead of the usual soft limit of 1024.
void raise_file_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0)
      spdlog::warn("cannot raise the open file limit to {}", lim.rlim_max);
  }
}

void announce(const broker::broker_node& node, const http::http_server* web) {
  const auto& ep = node.endpoints();
  for (const auto* addr : {&ep.request_ipc, &ep.request_tcp})
    if (!addr->empty())
      std::printf("frontend %s\n", addr->c_str());
  for (const auto* addr : {&ep.event_ipc, &ep.event_tcp})
    if (!addr->empty())
      std::printf("events %s\n", addr->c_str());
  if (!node.curve_endpoint().empty())
    std::printf("curve %s\n", node.curve_endpoint().substr(6).c_str()); // without "curve+"
  if (!node.curve_event_endpoint().empty())
    std::printf("curve-events %s\n", node.curve_event_endpoint().substr(6).c_str());
  if (node.middleman_port() != 0)
    std::printf("middleman %u\n", static_cast<unsigned>(node.middleman_port()));
  if (node.federation_port() != 0)
    std::printf("federation %u\n", static_cast<unsigned>(node.federation_port()));
  if (web != nullptr)
    std::printf("http %s\n", web->url().c_str());
  std::printf("ready\n");
  std::fflush(stdout);
}

/// Applies a SIGHUP; an invalid file leaves everything as it was. Updates
/// `grace` and `thing_count` to the new configuration's.
void reload(broker::broker_node& node, const daemon::command_line& cli,
            daemon::service_notifier& notifier, std::size_t& thing_count, caf::timespan& grace) {
  notifier.reloading("reloading " + cli.config_file);
  spdlog::info("SIGHUP: reloading {}", cli.config_file);
  auto next = load(cli);
  if (!next) {
    spdlog::error("reload rejected, keeping the running configuration: {}",
                  next.error().to_string());
    notifier.ready(fmt::format("reload rejected ({}); serving {} Things", next.error().to_string(),
                               thing_count));
    return;
  }
  if (auto ok = daemon::setup_logging(next->logging); !ok)
    spdlog::warn("reload: logging unchanged: {}", ok.error());
  auto summary = node.reload(*next);
  if (!summary) {
    spdlog::error("reload failed: {}", summary.error());
  } else {
    thing_count = next->things.size();
    grace = std::chrono::duration_cast<caf::timespan>(next->drain_grace);
    spdlog::info("reloaded: {}", *summary);
  }
  notifier.ready(fmt::format("serving {} Things", thing_count));
}

int run(const daemon::command_line& cli) {
  auto cfg = load(cli);
  if (!cfg) {
    std::fprintf(stderr, "holobrokerd: %s\n", cfg.error().to_string().c_str());
    return 1;
  }
  if (cli.check_config) {
    std::printf("holobrokerd: configuration %s is valid (%zu Things)\n", cli.config_file.c_str(),
                cfg->things.size());
    return 0;
  }
  if (auto ok = daemon::setup_logging(cfg->logging); !ok) {
    std::fprintf(stderr, "holobrokerd: %s\n", ok.error().c_str());
    return 1;
  }
  // Before any thread exists, so that every thread inherits the mask.
  daemon::signal_waiter::block();
  daemon::service_notifier notifier;
  caf::actor_system_config sys_cfg;
  broker::add_message_types(sys_cfg);
  if (cfg->middleman_port != 0 && !cfg->federation.enabled)
    sys_cfg.load<caf::io::middleman>();
  federation::configure_actor_system(sys_cfg, cfg->federation);
  broker::apply_daemon_actor_settings(sys_cfg);
  raise_file_limit();
  caf::actor_system sys{sys_cfg};
  auto node = broker::broker_node::start(sys, *cfg);
  if (!node) {
    spdlog::critical("cannot start: {}", node.error());
    std::fprintf(stderr, "holobrokerd: %s\n", node.error().c_str());
    return 1;
  }
  std::unique_ptr<http::http_server> web;
  if (cfg->http.enabled) {
    // Its threads only ask the actors (broker_node::status, bounded).
    auto* n = node->get();
    auto started = http::http_server::start(cfg->http.host, cfg->http.port,
                                            [n] { return n->status(std::chrono::seconds{2}); });
    if (!started) {
      spdlog::critical("cannot start: http: {}", started.error());
      std::fprintf(stderr, "holobrokerd: http: %s\n", started.error().c_str());
      return 1;
    }
    web = std::move(*started);
    spdlog::info("http: serving /metrics, /status and / at {}", web->url());
  }
  std::size_t thing_count = cfg->things.size();
  spdlog::info("holobrokerd {} ready as \"{}\" with {} Things", HOLOBROKER_VERSION, cfg->id,
               thing_count);
  announce(**node, web.get());
  notifier.ready(fmt::format("serving {} Things", thing_count));
  auto grace = std::chrono::duration_cast<caf::timespan>(cfg->drain_grace);
  for (;;) {
    if (daemon::signal_waiter::wait() == daemon::daemon_signal::reload) {
      reload(**node, cli, notifier, thing_count, grace);
      continue;
    }
    break;
  }
  notifier.stopping("draining");
  spdlog::info("draining (grace {}s)", std::chrono::duration<double>(grace).count());
  auto result = (*node)->drain(grace);
  spdlog::info("stopped: {} requests completed during the drain, {} failed at its end",
               result.completed, result.failed);
  web.reset(); // before the node: its threads call into it
  node->reset();
  // With federation, actors a peer referenced over the middleman can stay
  // registered after the drain ended them all (CAF 0.17), and the actor
  // system would wait for them forever: everything is drained and closed
  // by now, so do not wait.
  if (cfg->federation.enabled)
    sys.await_actors_before_shutdown(false);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  daemon::command_line cli;
  if (auto code = daemon::parse_command_line(argc, argv, cli))
    return *code;
  if (cli.version) {
    std::printf("holobrokerd %s\n", HOLOBROKER_VERSION);
    return 0;
  }
  return run(cli);
}
