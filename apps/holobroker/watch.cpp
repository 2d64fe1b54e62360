#include "watch.hpp"

#include <cmath>
#include <ctime>
#include <ostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "text_table.hpp"

namespace holobroker::cli {

namespace {

using nlohmann::json;

double number(const json& obj, const char* key) {
  if (!obj.is_object())
    return 0;
  auto i = obj.find(key);
  return i != obj.end() && i->is_number() ? i->get<double>() : 0;
}

std::string count(const json& obj, const char* key) {
  return fmt::format("{}", static_cast<std::uint64_t>(number(obj, key)));
}

std::string uptime(double s) {
  auto t = static_cast<std::uint64_t>(s);
  if (t >= 86400)
    return fmt::format("{}d {}h", t / 86400, t % 86400 / 3600);
  if (t >= 3600)
    return fmt::format("{}h {}m", t / 3600, t % 3600 / 60);
  return fmt::format("{}m {}s", t / 60, t % 60);
}

std::string ago(const json& t) {
  if (!t.is_number())
    return "never";
  auto now = static_cast<double>(std::time(nullptr));
  auto s = std::max(0.0, now - t.get<double>());
  if (s < 60)
    return fmt::format("{:.0f}s ago", s);
  if (s < 3600)
    return fmt::format("{:.0f}m ago", s / 60);
  return fmt::format("{:.1f}h ago", s / 3600);
}

std::string ms(const json& latency, const char* key) {
  if (number(latency, "samples") == 0)
    return "-";
  return fmt::format("{:.2f}", number(latency, key));
}

} // namespace

std::string status_screen(const json& status) {
  const auto& b = status.value("broker", json::object());
  const auto& ev = b.value("events", json::object());
  const auto things = status.value("things", json::array());
  std::size_t up = 0;
  for (const auto& t : things)
    up += t.value("state", "") == "connected" ? 1 : 0;
  std::ostringstream out;
  out << fmt::format("{}{}  up {}  Things {} ({} connected)  clients {}  in flight {}  "
                     "events in {} out {}  reloads {}\n\n",
                     b.value("id", "?"), b.value("draining", false) ? " DRAINING" : "",
                     uptime(number(b, "uptime_s")), things.size(), up, count(b, "clients"),
                     count(b, "in_flight"), count(ev, "received"), count(ev, "forwarded"),
                     count(b, "reloads"));
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : things) {
    const auto& l = t.value("latency_ms", json::object());
    auto errors = number(t, "exceptions") + number(t, "timeouts") + number(t, "errors");
    rows.push_back({t.value("id", "?"), t.value("state", "?"), count(t, "requests"),
                    count(t, "replies"), fmt::format("{}", static_cast<std::uint64_t>(errors)),
                    count(t, "in_flight"), ms(l, "p50"), ms(l, "p90"), ms(l, "p99"),
                    ago(t.value("last_event_at", json(nullptr)))});
  }
  out << text_table({"THING", "STATE", "REQUESTS", "REPLIES", "ERRORS", "IN FLIGHT", "P50 MS",
                     "P90 MS", "P99 MS", "LAST EVENT"},
                    rows);
  return out.str();
}

int run_watch(const command& status_cmd, const watch_options& opt, thing_access& access,
              std::ostream& out, std::ostream& err) {
  int rc = exit_ok;
  for (std::size_t frame = 0; !opt.iterations || frame < *opt.iterations; ++frame) {
    if (frame > 0)
      std::this_thread::sleep_for(opt.interval);
    std::ostringstream doc, problem;
    rc = run_command(status_cmd, access, doc, problem);
    std::string screen;
    if (rc == exit_ok) {
      auto parsed = json::parse(doc.str(), nullptr, false);
      screen = parsed.is_discarded() ? "holobroker: the broker's status is not JSON\n"
                                     : status_screen(parsed);
    } else {
      screen = problem.str();
      err << problem.str();
    }
    auto now = std::time(nullptr);
    char clock[16] = {};
    std::strftime(clock, sizeof clock, "%H:%M:%S", std::localtime(&now));
    if (opt.clear_screen)
      out << "\x1b[H\x1b[2J"; // home, clear: the next frame replaces this one
    else if (frame > 0)
      out << '\n';
    out << clock << "  every " << opt.interval.count() << "s (Ctrl-C quits)\n"
        << screen << std::flush;
  }
  return rc;
}

} // namespace holobroker::cli
