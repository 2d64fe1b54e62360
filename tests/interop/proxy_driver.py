"""Drives REAL hololinked 0.4 clients (ClientFactory.zmq / ObjectProxy, sync and async API) for
holobroker's interoperability tests (tests/interop/).

    VENV/bin/python proxy_driver.py --server-id holobroker --access-point IPC|tcp://H:P
                                    [--direct-server-id lab --direct-access-point IPC|tcp://H:P]
                                    [--groups basic,async,events,observe,late,spectrometer,many,timeouts,ordering]
                                    [--pairs 5000] [--thing test-thing] [--sleepy-thing test-thing]
                                    [--spectrometer test-spectrometer]

Prints one line per check, `CHECK {"check": NAME, "got": VALUE}` or
`CHECK {"check": NAME, "error": {"type": ..., "message": ...}}`, and `DONE` at the end. The C++ test
(tests/interop/*_test.cpp) owns the expectations: this script only observes and reports, so a
wrong answer shows up as a wrong value in the test's failure message. bytes are reported as
{"b64": ...}. Every wait is bounded. The process leaves with os._exit so hololinked's client
threads cannot hang it (nor print their shutdown noise into the result).
"""

import argparse
import asyncio
import base64
import hashlib
import json
import logging
import os
import sys
import threading
import time
import traceback

from hololinked.config import global_config

global_config.set(LOG_LEVEL=logging.WARNING)
from hololinked.client import ClientFactory  # noqa: E402

OUT_LOCK = threading.Lock()


def encode(value):
    if isinstance(value, (bytes, bytearray)):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if hasattr(value, "tolist"):  # numpy
        return value.tolist()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def emit(name, got=None, error=None):
    line = {"check": name}
    if error is not None:
        line["error"] = {"type": type(error).__name__, "message": str(error)}
    else:
        line["got"] = encode(got)
    with OUT_LOCK:
        sys.stdout.write("CHECK " + json.dumps(line) + "\n")
        sys.stdout.flush()


def check(name, fn):
    """Runs fn() and reports its value or the exception it raised."""
    try:
        emit(name, fn())
    except Exception as ex:  # noqa: BLE001 - reporting is the point
        emit(name, error=ex)
        traceback.print_exc(file=sys.stderr)


def wait_until(pred, timeout):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


# Every proxy stays referenced until the process ends: pyzmq names a socket's monitor
# inproc://monitor.s-<fd>, and a dropped proxy's monitor address outlives its socket, so a
# later socket reusing the fd fails with "Address already in use".
KEEP_ALIVE = []


def proxy(args, thing, **kw):
    p = ClientFactory.zmq(
        server_id=args.server_id, thing_id=thing, access_point=args.access_point, ignore_TD_errors=True, **kw
    )
    KEEP_ALIVE.append(p)
    return p


class Collector:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def __call__(self, event):
        # hololinked 0.4 hands callbacks an SSE record; its .data is the event's payload.
        with self.lock:
            self.items.append(getattr(event, "data", event))

    def snapshot(self):
        with self.lock:
            return list(self.items)

    def clear(self):
        with self.lock:
            self.items.clear()

    def __len__(self):
        with self.lock:
            return len(self.items)


def warm_up(collector, trigger, timeout=10.0):
    """Events published before a subscription is up are lost (slow joiner; through the broker also
    the upstream subscription): trigger until one arrives, then forget what arrived."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        trigger()
        if wait_until(lambda: len(collector) > 0, 0.3):
            time.sleep(0.3)  # let stragglers of the warm-up arrive before counting
            collector.clear()
            return True
    return False


# ------------------------------------------------------------------ groups


def group_basic(args, p):
    def write_read(name, value):
        p.write_property(name, value)
        return p.read_property(name)

    check("read_int_prop", lambda: p.read_property("int_prop"))
    check("write_read_number_prop", lambda: write_read("number_prop", 42.5))

    def attribute_access():
        p.number_prop = 7
        return p.number_prop

    check("attribute_access", attribute_access)
    check("write_read_observable_list_prop", lambda: write_read("observable_list_prop", [1, "two", 3.5, True, None]))
    check("write_read_pydantic_prop", lambda: write_read("pydantic_prop", {"foo": "abc", "bar": 3, "foo_bar": 1.5}))
    check("write_invalid_string_prop", lambda: p.write_property("string_prop", "UPPER"))
    check("write_out_of_bounds_int_prop", lambda: p.write_property("int_prop", 1000))
    check("invoke_action_echo", lambda: p.invoke_action("action_echo", {"a": [1, "two", 3.5, True, None]}))
    check("invoke_action_echo_kwarg", lambda: p.action_echo(value="kw"))
    check("invoke_remote_exception", lambda: p.invoke_action("set_non_remote_number_prop", -1))
    check("invoke_bytes_return", lambda: p.invoke_action("get_serialized_data"))
    check("invoke_mixed_return", lambda: p.invoke_action("get_mixed_content_data"))
    check("invoke_get_transports", lambda: p.invoke_action("get_transports"))

    def big_echo():
        blob = "".join(chr(ord("a") + (i * 7919) % 26) for i in range(1 << 20))
        back = p.invoke_action("action_echo", blob)
        return {
            "sent_len": len(blob),
            "got_len": len(back),
            "sent_sha256": hashlib.sha256(blob.encode()).hexdigest(),
            "got_sha256": hashlib.sha256(back.encode()).hexdigest(),
        }

    check("one_mib_echo", big_echo)

    # --msgpack: these travel as application/msgpack in both directions.
    def msgpack_roundtrip():
        p.invoke_action("set_non_remote_number_prop", 13)
        return p.invoke_action("get_non_remote_number_prop")

    check("msgpack_action_roundtrip", msgpack_roundtrip)
    check("msgpack_read_numpy_array_prop", lambda: p.read_property("numpy_array_prop"))

    def oneway_write():
        p.write_property("number_prop", 99, oneway=True)
        return p.read_property("number_prop")

    check("oneway_write_then_read", oneway_write)

    def oneway_action():
        p.invoke_action("set_non_remote_number_prop", 21, oneway=True)
        return p.invoke_action("get_non_remote_number_prop")

    check("oneway_action_then_invoke", oneway_action)

    def noblock():
        p.write_property("number_prop", 3.25)
        read_id = p.read_property("number_prop", noblock=True)
        echo_id = p.invoke_action("action_echo", "nb", noblock=True)
        # Read the replies in reverse order: matched by message id, not by arrival.
        echo = p.read_reply(echo_id)
        value = p.read_reply(read_id)
        return {"read": value, "echo": echo, "distinct_ids": read_id != echo_id}

    check("noblock_read_reply", noblock)

    def multiple():
        p.write_multiple_properties(number_prop=8, int_prop=11, string_prop="multi")
        return p.read_multiple_properties(names=["number_prop", "int_prop", "string_prop"])

    check("write_read_multiple_properties", multiple)

    def td():
        t = p.td
        hrefs = set()
        for kind in ("properties", "actions", "events"):
            for aff in t.get(kind, {}).values():
                for form in aff.get("forms", []):
                    hrefs.add(form.get("href"))
        return {
            "id": t.get("id"),
            "counts": {k: len(t.get(k, {})) for k in ("properties", "actions", "events")},
            "sample": {
                "number_prop": "number_prop" in t.get("properties", {}),
                "action_echo": "action_echo" in t.get("actions", {}),
                "test_event": "test_event" in t.get("events", {}),
            },
            "hrefs": sorted(h for h in hrefs if h),
        }

    check("thing_description", td)


def group_async(args, p):
    async def run():
        await p.async_write_property("number_prop", 17)
        read = await p.async_read_property("number_prop")
        echo = await p.async_invoke_action("action_echo", "async")
        many = await asyncio.gather(*(p.async_invoke_action("action_echo", i) for i in range(50)))
        await p.async_write_multiple_properties(number_prop=5, int_prop=7)
        multi = await p.async_read_multiple_properties(names=["number_prop", "int_prop"])
        try:
            await p.async_invoke_action("set_non_remote_number_prop", -5)
            exc = None
        except Exception as ex:  # noqa: BLE001
            exc = {"type": type(ex).__name__, "message": str(ex)}
        return {
            "read": read,
            "echo": echo,
            "gather_in_order": list(many) == list(range(50)),
            "multi": multi,
            "exception": exc,
        }

    check("async_api", lambda: asyncio.run(run()))


def group_events(args, p):
    def pair(subscribed, other):
        """Subscribes `subscribed` only, pushes 10 of each event of the prefix pair, reports what the
        callback got: test_event's payload is "test data", test_event_with_json_schema's a dict."""
        got = Collector()
        p.subscribe_event(subscribed, got)
        try:
            if not warm_up(got, lambda: p.invoke_action("push_events", event_name=subscribed, total_number_of_events=1)):
                raise TimeoutError(f"no {subscribed} event arrived within 10 s of subscribing")
            p.invoke_action("push_events", event_name=other, total_number_of_events=10)
            p.invoke_action("push_events", event_name=subscribed, total_number_of_events=10)
            wait_until(lambda: sum(1 for d in got.snapshot() if d == "test data") >= 10 if subscribed == "test_event"
                       else sum(1 for d in got.snapshot() if isinstance(d, dict)) >= 10, 10)
            time.sleep(0.5)  # duplicates would arrive now
            items = got.snapshot()
            return {
                "test_data": sum(1 for d in items if d == "test data"),
                "schema_data": sum(1 for d in items if isinstance(d, dict) and d.get("val2") == "test"),
                "other": sum(1 for d in items if d != "test data" and not isinstance(d, dict)),
            }
        finally:
            p.unsubscribe_event(subscribed)

    check("event_test_event", lambda: pair("test_event", "test_event_with_json_schema"))
    check("event_test_event_with_json_schema", lambda: pair("test_event_with_json_schema", "test_event"))

    def binary():
        got = Collector()
        p.subscribe_event("test_binary_payload_event", got)
        try:
            trigger = lambda: p.invoke_action("push_events", event_name="test_binary_payload_event", total_number_of_events=1)  # noqa: E731
            if not warm_up(got, trigger):
                raise TimeoutError("no test_binary_payload_event arrived within 10 s of subscribing")
            p.invoke_action("push_events", event_name="test_binary_payload_event", total_number_of_events=5)
            wait_until(lambda: len(got) >= 5, 10)
            time.sleep(0.3)
            items = got.snapshot()
            return {"count": len(items), "first": items[0] if items else None}
        finally:
            p.unsubscribe_event("test_binary_payload_event")

    check("event_binary_payload", binary)


def group_observe(args, p):
    """observe_property through the broker must deliver every change a direct client gets."""
    direct = ClientFactory.zmq(
        server_id=args.direct_server_id,
        thing_id=args.thing,
        access_point=args.direct_access_point,
        ignore_TD_errors=True,
    )
    KEEP_ALIVE.append(direct)
    via_direct, via_broker = Collector(), Collector()
    direct.observe_property("observable_list_prop", via_direct)
    p.observe_property("observable_list_prop", via_broker)
    try:
        def both_warm():
            # A write pushes a change event only when the value changes: a new value each time.
            until, k = time.monotonic() + 10, 0
            while time.monotonic() < until:
                k += 1
                direct.write_property("observable_list_prop", [-k])
                if wait_until(lambda: len(via_direct) > 0 and len(via_broker) > 0, 0.3):
                    return True
            return False

        warm = both_warm()
        time.sleep(0.3)
        via_direct.clear()
        via_broker.clear()
        changes = 20
        for i in range(changes):
            # Alternate the writer: changes made through the broker must be observed too.
            (direct if i % 2 == 0 else p).write_property("observable_list_prop", [i, "x"])
        wait_until(lambda: len(via_direct) >= changes and len(via_broker) >= changes, 10)
        time.sleep(0.3)
        return {"warm": warm, "direct": via_direct.snapshot(), "broker": via_broker.snapshot()}
    finally:
        p.unobserve_property("observable_list_prop")
        direct.unobserve_property("observable_list_prop")


def group_late(args, p):
    """A second real ObjectProxy observing later (broker configured with last_value) gets the last
    change at once, with no write after it subscribed; the first observer gets that change once."""
    first = Collector()
    p.observe_property("observable_list_prop", first)
    try:
        def warm():
            until, k = time.monotonic() + 10, 0
            while time.monotonic() < until:
                k += 1
                p.write_property("observable_list_prop", [-k])
                if wait_until(lambda: len(first) > 0, 0.3):
                    return True
            return False

        warmed = warm()
        time.sleep(0.3)
        first.clear()
        p.write_property("observable_list_prop", [42, "last"])
        wait_until(lambda: len(first) >= 1, 5)
        late_proxy = proxy(args, args.thing)
        late = Collector()
        late_proxy.observe_property("observable_list_prop", late)
        try:
            arrived = wait_until(lambda: len(late) >= 1, 5)
            time.sleep(0.5)  # a second copy to the first observer would arrive now
            return {"warm": warmed, "arrived": arrived, "late": late.snapshot(), "first": first.snapshot()}
        finally:
            late_proxy.unobserve_property("observable_list_prop")
    finally:
        p.unobserve_property("observable_list_prop")


def group_spectrometer(args, _p):
    s = proxy(args, args.spectrometer)
    check("spectrometer_initial_state", lambda: s.read_property("state"))

    def configure():
        s.write_property("integration_time", 20)
        return s.read_property("integration_time")

    check("spectrometer_write_integration_time", configure)
    check("spectrometer_stop_while_on_refused", lambda: s.invoke_action("stop_acquisition"))
    got = Collector()
    s.subscribe_event("intensity_measurement_event", got)
    try:
        time.sleep(0.5)  # no trigger action exists that could warm up without measuring

        def measure():
            s.invoke_action("start_acquisition")
            state = s.read_property("state")
            arrived = wait_until(lambda: len(got) >= 5, 10)
            s.invoke_action("stop_acquisition")
            after = s.read_property("state")
            items = got.snapshot()
            return {
                "state_measuring": state,
                "events_arrived": arrived,
                "event_shape_ok": all(
                    isinstance(e, dict) and len(e.get("value", [])) == 50 and isinstance(e.get("timestamp"), str)
                    for e in items
                ),
                "state_after_stop": after,
            }

        check("spectrometer_measurement", measure)
    finally:
        s.unsubscribe_event("intensity_measurement_event")

    def disconnect_connect():
        s.invoke_action("disconnect")
        off = s.read_property("state")
        s.invoke_action("connect", serial_number="simulation")
        return {"after_disconnect": off, "after_connect": s.read_property("state")}

    check("spectrometer_disconnect_connect", disconnect_connect)


def group_many(args, _p):
    clients, per_client = 10, 40
    results = [None] * clients

    def worker(k):
        try:
            c = proxy(args, args.thing)
            bad = 0
            for j in range(per_client):
                value = f"client-{k}-{j}"
                if c.invoke_action("action_echo", value) != value:
                    bad += 1
            results[k] = {"ok": per_client - bad, "bad": bad}
        except Exception as ex:  # noqa: BLE001
            results[k] = {"error": f"{type(ex).__name__}: {ex}"}

    def run():
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        return {
            "clients": clients,
            "answered": sum(r["ok"] for r in results if r and "ok" in r),
            "wrong": sum(r["bad"] for r in results if r and "bad" in r),
            "errors": [r["error"] for r in results if r and "error" in r] + [None for r in results if r is None],
        }

    check("many_clients", run)


def proxy_with_short_timeouts(args, thing, **kw):
    """A proxy whose timeouts also bound its Thing Description fetch: on a loaded machine
    (the CI's two cores) a 0.5 s limit can expire before the TD arrives, which is not what
    this group tests, so creation is retried a bounded number of times."""
    for attempt in range(5):
        try:
            return proxy(args, thing, **kw)
        except TimeoutError:
            if attempt == 4:
                raise


def group_timeouts(args, _p):
    sleepy = proxy_with_short_timeouts(args, args.sleepy_thing, invokation_timeout=5.0, execution_timeout=0.5)
    impatient = proxy_with_short_timeouts(args, args.sleepy_thing, invokation_timeout=0.5, execution_timeout=5.0)
    # sleep() blocks the Thing for 10 s: the execution timeout fires after 0.5 s, and a request
    # queued behind it meets its invokation timeout.
    check("execution_timeout", lambda: sleepy.invoke_action("sleep"))
    check("invokation_timeout", lambda: impatient.read_property("number_prop"))


def group_ordering(args, p):
    def run():
        mismatches, first = 0, None
        for i in range(args.pairs):
            p.invoke_action("set_non_remote_number_prop", i, oneway=True)
            got = p.invoke_action("get_non_remote_number_prop")
            if got != i:
                mismatches += 1
                if first is None:
                    first = [i, got]
        return {"pairs": args.pairs, "mismatches": mismatches, "first_mismatch": first}

    check("oneway_then_read_ordering", run)


GROUPS = {
    "basic": group_basic,
    "async": group_async,
    "events": group_events,
    "observe": lambda a, p: check("observe_property_matches_direct", lambda: group_observe(a, p)),
    "late": lambda a, p: check("late_observer_gets_last_value", lambda: group_late(a, p)),
    "spectrometer": group_spectrometer,
    "many": group_many,
    "timeouts": group_timeouts,
    "ordering": group_ordering,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-id", required=True)
    ap.add_argument("--access-point", required=True)
    ap.add_argument("--direct-server-id", default="")
    ap.add_argument("--direct-access-point", default="IPC")
    ap.add_argument("--groups", default="basic")
    ap.add_argument("--pairs", type=int, default=5000)
    ap.add_argument("--thing", default="test-thing")
    ap.add_argument("--sleepy-thing", default="test-thing")
    ap.add_argument("--spectrometer", default="test-spectrometer")
    args = ap.parse_args()
    groups = [g for g in args.groups.split(",") if g]
    needs_thing = any(g not in ("spectrometer", "many", "timeouts") for g in groups)
    p = None
    if needs_thing:
        started = time.monotonic()
        try:
            p = proxy(args, args.thing)
        except Exception as ex:  # noqa: BLE001
            emit("create_proxy", error=ex)
            print("DONE", flush=True)
            os._exit(0)
        emit("create_proxy", {"seconds": round(time.monotonic() - started, 3)})
    for g in groups:
        try:
            GROUPS[g](args, p)
        except Exception as ex:  # noqa: BLE001
            emit(f"group_{g}", error=ex)
            traceback.print_exc(file=sys.stderr)
    print("DONE", flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
