#include "holobroker/http/fleet_page.hpp"

#include <string_view>

namespace holobroker::http {

namespace {

// One document, no external assets. The script renders the embedded status
// document at once (so a page load alone shows the fleet), then refreshes
// from /status every 2 s; a failed fetch marks the page stale instead of
// showing old numbers as current.
constexpr std::string_view head = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>holobroker</title>
<style>
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #b08800; --bad: #cf222e; --dim: #6e7781; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.4 system-ui, sans-serif; background: Canvas; color: CanvasText; }
header { padding: .8em 1em; display: flex; flex-wrap: wrap; gap: .4em 1.6em; align-items: baseline;
         border-bottom: 1px solid color-mix(in srgb, CanvasText 20%, transparent); }
header h1 { margin: 0; font-size: 1.3em; }
header span { color: var(--dim); white-space: nowrap; }
header b { color: CanvasText; font-variant-numeric: tabular-nums; }
#stale { color: var(--bad); font-weight: bold; }
main { padding: .5em 1em 2em; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .45em .6em; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
th { font-weight: 600; color: var(--dim); border-bottom: 2px solid color-mix(in srgb, CanvasText 25%, transparent); }
tr + tr td { border-top: 1px solid color-mix(in srgb, CanvasText 10%, transparent); }
td.id { font-weight: 600; }
.state { display: inline-block; padding: .05em .55em; border-radius: 1em; color: #fff; font-size: .9em; }
.connected .state { background: var(--ok); }
.connecting .state { background: var(--warn); }
.disconnected .state { background: var(--bad); }
tr.disconnected td.id { color: var(--bad); }
td.errors.some { color: var(--bad); font-weight: 600; }
@media (min-width: 1600px) { body { font-size: 22px; } }
@media (max-width: 700px) {
  thead { display: none; }
  table, tbody { display: block; width: 100%; }
  tr { display: grid; grid-template-columns: 1fr 1fr; padding: .5em 0;
       border-top: 1px solid color-mix(in srgb, CanvasText 15%, transparent); }
  td.id { grid-column: 1 / -1; }
  tr + tr td { border-top: none; }
  td { display: block; text-align: left !important; padding: .1em 0; }
  td[data-label]::before { content: attr(data-label) ": "; color: var(--dim); }
}
</style>
</head>
<body>
<header>
  <h1 id="broker">holobroker</h1>
  <span>Things <b id="count">–</b></span>
  <span>connected <b id="up">–</b></span>
  <span>clients <b id="clients">–</b></span>
  <span>in flight <b id="inflight">–</b></span>
  <span>events in/out <b id="events">–</b></span>
  <span>uptime <b id="uptime">–</b></span>
  <span id="stale" hidden>stale: the broker does not answer</span>
</header>
<main>
<table>
<thead><tr><th>Thing</th><th>state</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th>
<th>requests</th><th>errors</th><th>in flight</th><th>last event</th></tr></thead>
<tbody id="things"></tbody>
</table>
</main>
<script id="initial" type="application/json">)HTML";

constexpr std::string_view tail = R"HTML(</script>
<script>
"use strict";
function ago(t) {
  if (typeof t !== "number") return "never";
  const s = Math.max(0, Date.now() / 1000 - t);
  if (s < 60) return s.toFixed(0) + " s ago";
  if (s < 3600) return (s / 60).toFixed(0) + " min ago";
  if (s < 86400) return (s / 3600).toFixed(1) + " h ago";
  return (s / 86400).toFixed(1) + " d ago";
}
function duration(s) {
  if (typeof s !== "number") return "–";
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m + "m " + Math.floor(s % 60) + "s";
}
function ms(v) { return typeof v === "number" ? v.toFixed(v < 10 ? 2 : 1) : "–"; }
function cell(row, text, label, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (label) td.dataset.label = label;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}
function render(doc) {
  if (!doc || !doc.broker) return;
  const b = doc.broker, things = doc.things || [];
  document.getElementById("broker").textContent = b.id + (b.draining ? " (draining)" : "");
  document.title = b.id + " – holobroker";
  document.getElementById("count").textContent = things.length;
  document.getElementById("up").textContent = things.filter(t => t.state === "connected").length;
  document.getElementById("clients").textContent = b.clients ?? "–";
  document.getElementById("inflight").textContent = b.in_flight;
  const ev = b.events || {};
  document.getElementById("events").textContent = (ev.received ?? "–") + " / " + (ev.forwarded ?? "–");
  document.getElementById("uptime").textContent = duration(b.uptime_s);
  const body = document.getElementById("things");
  body.replaceChildren();
  for (const t of things) {
    const row = document.createElement("tr");
    row.className = t.state;
    row.dataset.thing = t.id;
    row.dataset.state = t.state;
    cell(row, t.id, "", "id");
    const st = cell(row, "", "state");
    const badge = document.createElement("span");
    badge.className = "state";
    badge.textContent = t.state;
    st.appendChild(badge);
    const l = t.latency_ms || {}, none = !l.samples; // no request yet: no latency to show
    cell(row, none ? "–" : ms(l.p50), "p50 ms");
    cell(row, none ? "–" : ms(l.p90), "p90 ms");
    cell(row, none ? "–" : ms(l.p99), "p99 ms");
    cell(row, t.requests ?? 0, "requests");
    const errors = (t.exceptions || 0) + (t.timeouts || 0) + (t.errors || 0);
    cell(row, errors, "errors", "errors" + (errors ? " some" : ""));
    cell(row, t.in_flight ?? 0, "in flight");
    cell(row, ago(t.last_event_at), "last event");
    body.appendChild(row);
  }
}
try { render(JSON.parse(document.getElementById("initial").textContent)); } catch (e) {}
async function refresh() {
  try {
    const res = await fetch("/status", {cache: "no-store"});
    if (!res.ok) throw new Error(res.status);
    render(await res.json());
    document.getElementById("stale").hidden = true;
  } catch (e) {
    document.getElementById("stale").hidden = false;
  }
}
setInterval(refresh, 2000);
</script>
</body>
</html>
)HTML";

} // namespace

std::string fleet_page(const std::string& status_json) {
  std::string out{head};
  // Inside <script>, "</" could end the element early: "<\/" is the same JSON.
  out.reserve(head.size() + status_json.size() + tail.size());
  for (std::size_t i = 0; i < status_json.size(); ++i) {
    if (status_json[i] == '<' && i + 1 < status_json.size() && status_json[i + 1] == '/')
      out += "<\\";
    else
      out += status_json[i];
  }
  out += tail;
  return out;
}

} // namespace holobroker::http
