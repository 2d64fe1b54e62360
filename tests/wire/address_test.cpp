// hololinked's address conventions (golden README §3).
#define CAF_SUITE wire.address
#include <caf/test/unit_test.hpp>

#include <string>

#include "holobroker/wire/address.hpp"

using namespace holobroker::wire;

CAF_TEST(ipc socket names keep ordinary server ids unchanged) {
  CAF_CHECK_EQUAL(ipc_socket_name("test-thing"), "test-thing");
  CAF_CHECK_EQUAL(ipc_socket_name("spectrometer.lab_2"), "spectrometer.lab_2");
}

CAF_TEST(ipc socket names replace reserved and control characters by one underscore) {
  CAF_CHECK_EQUAL(ipc_socket_name("a<b>c:d\"e/f\\g|h?i*j"), "a_b_c_d_e_f_g_h_i_j");
  CAF_CHECK_EQUAL(ipc_socket_name(std::string{"a\x01\x1f\x7f" "b", 5}), "a_b");
  CAF_CHECK_EQUAL(ipc_socket_name(std::string{"a\0b", 3}), "a_b");
  // Runs collapse, including underscores that were there already.
  CAF_CHECK_EQUAL(ipc_socket_name("a//::b"), "a_b");
  CAF_CHECK_EQUAL(ipc_socket_name("a__/b"), "a_b");
}

CAF_TEST(ipc socket names strip leading and trailing underscores) {
  CAF_CHECK_EQUAL(ipc_socket_name("/lab/thing/"), "lab_thing");
  CAF_CHECK_EQUAL(ipc_socket_name("__x__"), "x");
  CAF_CHECK_EQUAL(ipc_socket_name("///"), "");
  CAF_CHECK_EQUAL(ipc_socket_name(""), "");
}

CAF_TEST(ipc addresses live under TEMP_DIR slash sockets) {
  CAF_CHECK_EQUAL(ipc_request_address("/home/lab/.hololinked", "test-thing"),
                  "ipc:///home/lab/.hololinked/sockets/test-thing.ipc");
  CAF_CHECK_EQUAL(ipc_event_address("/home/lab/.hololinked", "test-thing"),
                  "ipc:///home/lab/.hololinked/sockets/test-thing.event-publisher.ipc");
  CAF_CHECK_EQUAL(ipc_request_address("/t", "a/b"), "ipc:///t/sockets/a_b.ipc");
}

CAF_TEST(the default temp dir is HOME slash dot hololinked) {
  auto dir = default_temp_dir();
  CAF_CHECK_EQUAL(dir.substr(dir.size() - 12), "/.hololinked");
}

CAF_TEST(the tcp event publisher listens on the request port plus one) {
  CAF_CHECK_EQUAL(tcp_event_address("tcp://127.0.0.1:61000"), "tcp://127.0.0.1:61001");
  CAF_CHECK_EQUAL(tcp_event_address("tcp://lab-pc:60000"), "tcp://lab-pc:60001");
  CAF_CHECK_EQUAL(tcp_event_address("tcp://[::1]:5555"), "tcp://[::1]:5556");
}

CAF_TEST(tcp event addresses are empty for anything but tcp with a usable port) {
  CAF_CHECK_EQUAL(tcp_event_address("ipc:///tmp/x.ipc"), "");
  CAF_CHECK_EQUAL(tcp_event_address("tcp://127.0.0.1"), "");
  CAF_CHECK_EQUAL(tcp_event_address("tcp://127.0.0.1:"), "");
  CAF_CHECK_EQUAL(tcp_event_address("tcp://127.0.0.1:abc"), "");
  CAF_CHECK_EQUAL(tcp_event_address("tcp://127.0.0.1:80x"), "");
  CAF_CHECK_EQUAL(tcp_event_address("tcp://127.0.0.1:0"), "");
  CAF_CHECK_EQUAL(tcp_event_address("tcp://127.0.0.1:65535"), ""); // no port 65536
  CAF_CHECK_EQUAL(tcp_event_address("tcp://127.0.0.1:99999999999"), "");
  CAF_CHECK_EQUAL(tcp_event_address(""), "");
}

CAF_TEST(inproc addresses are the server id and its event publisher) {
  CAF_CHECK_EQUAL(inproc_request_address("test-thing"), "inproc://test-thing");
  CAF_CHECK_EQUAL(inproc_event_address("test-thing"), "inproc://test-thing/event-publisher");
}
