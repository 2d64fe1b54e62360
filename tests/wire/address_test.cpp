// hololinked's address conventions (golden README §3).
#define CAF_SUITE wire.address
#include <caf/test/unit_test.hpp>

#include <string>
#include <string_view>

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

CAF_TEST(the address grammar names each kind of server address) {
  CAF_CHECK(parse_address("IPC").value() == address_kind::ipc);
  CAF_CHECK(parse_address("ipc").value() == address_kind::ipc);
  CAF_CHECK(parse_address("INPROC").value() == address_kind::inproc);
  CAF_CHECK(parse_address("inproc").value() == address_kind::inproc);
  CAF_CHECK(parse_address("ipc:///tmp/x.ipc").value() == address_kind::ipc_path);
  CAF_CHECK(parse_address("tcp://127.0.0.1:61000").value() == address_kind::tcp);
  CAF_CHECK(parse_address("tcp://host:65534").value() == address_kind::tcp);
  CAF_CHECK(parse_address("inproc://sim").value() == address_kind::inproc_name);
}

namespace {

// The grammar's complaint about `spec` ("" when it is accepted).
std::string complaint(std::string_view spec) {
  auto kind = parse_address(spec);
  return kind ? std::string{} : kind.error();
}

} // namespace

CAF_TEST(the address grammar says what is wrong) {
  CAF_CHECK_EQUAL(complaint("ipc://"), "no path after ipc://");
  CAF_CHECK_EQUAL(complaint("inproc://"), "no name after inproc://");
  for (auto bad : {"tcp://host", "tcp://host:", "tcp://:5555", "tcp://host:0",
                   "tcp://host:65535", "tcp://host:5x"})
    CAF_CHECK_EQUAL(complaint(bad),
                    "expected tcp://HOST:PORT with a port from 1 to 65534 (events use PORT + 1)");
  for (auto bad : {"", "Ipc", "http://x", "IPC "})
    CAF_CHECK_EQUAL(complaint(bad),
                    "expected IPC, ipc://PATH, tcp://HOST:PORT, INPROC or inproc://NAME");
}

CAF_TEST(tcp addresses are taken apart into host and port) {
  auto a = parse_tcp_address("tcp://[::1]:5555");
  CAF_REQUIRE(a.has_value());
  CAF_CHECK_EQUAL(a->host, "[::1]");
  CAF_CHECK_EQUAL(a->port, 5555u);
  auto any = parse_tcp_address("tcp://127.0.0.1:0"); // a listener's any free port
  CAF_REQUIRE(any.has_value());
  CAF_CHECK_EQUAL(any->port, 0u);
  CAF_CHECK(!parse_tcp_address("tcp://127.0.0.1:65536"));
  CAF_CHECK(!parse_tcp_address("tcp://:1"));
  CAF_CHECK(!parse_tcp_address("ipc://x:1"));
}
