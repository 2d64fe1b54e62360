# Real hololinked 0.4 ObjectProxies (ClientFactory.zmq) subscribing through
# holobrokerd under a policy that lets them subscribe to the motor only: the
# motor's position changes arrive, the spectrometer's measurements (published
# every second, and forwarded to the broker's publisher for this very
# subscription) never do. Prints one line per step; the C++ test judges them.
import os
import sys
import time

# The interop driver's event collector and bounded wait (it also quiets
# hololinked's logging on import).
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "interop"))
from proxy_driver import Collector, wait_until  # noqa: E402

from hololinked.client import ClientFactory  # noqa: E402

access_point = sys.argv[1]

motor = ClientFactory.zmq(server_id="holobroker", thing_id="motor",
                          access_point=access_point, ignore_TD_errors=True)
spectrometer = ClientFactory.zmq(server_id="holobroker", thing_id="spectrometer",
                                 access_point=access_point, ignore_TD_errors=True)
changes, measurements = Collector(), Collector()
motor.observe_property("position", changes)
spectrometer.subscribe_event("measurement", measurements)
try:
    # A write pushes a change only when the value changes: a new one each time,
    # until the subscription is in effect (PUB/SUB's slow joiner).
    k = 0
    until = time.monotonic() + 10
    while time.monotonic() < until and len(changes) == 0:
        k += 1
        motor.write_property("position", float(k))
        wait_until(lambda: len(changes) > 0, 0.3)
    print("motor changes", "some" if len(changes) > 0 else "none", flush=True)
    # Three measurement periods.
    time.sleep(3)
    print("spectrometer measurements", len(measurements), flush=True)
finally:
    motor.unobserve_property("position")
    spectrometer.unsubscribe_event("measurement")
# hololinked's client threads must not hold the process (nor print noise).
sys.stdout.flush()
os._exit(0)
