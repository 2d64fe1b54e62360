# A real hololinked 0.4 ObjectProxy (ClientFactory.zmq) against holobrokerd:
# reads, then tries a write the broker's policy denies. Prints one line per
# step; the C++ test judges the lines (not stderr: hololinked's client
# threads may print shutdown noise).
import sys

from hololinked.client import ClientFactory

proxy = ClientFactory.zmq(server_id="holobroker", thing_id="spectrometer",
                          access_point=sys.argv[1], ignore_TD_errors=True)
print("read", proxy.read_property("integration_time"), flush=True)
try:
    proxy.write_property("integration_time", 25)
    print("write allowed", flush=True)
except PermissionError as error:
    print("PermissionError", error, flush=True)
except Exception as error:  # anything else is a failure the test shows
    print("other", type(error).__name__, error, flush=True)
