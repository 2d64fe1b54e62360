// How the front end names a client in its log: hololinked clients pick text
// routing ids, libzmq's generated ones are binary.
#define CAF_SUITE printable_id
#include <caf/test/dsl.hpp>

#include <string>

#include "broker/frontend_impl.hpp"

using holobroker::broker::frontend::printable;
using holobroker::wire::shared_bytes;

CAF_TEST(a routing id is logged as it is when printable and in hex otherwise) {
  CAF_CHECK_EQUAL(printable(shared_bytes::copy_of("client-1 a~z")), "client-1 a~z");
  CAF_CHECK_EQUAL(printable(shared_bytes::copy_of(std::string("\x00\xff\x10\x7f", 4))),
                  "0x00ff107f");
  // One byte outside printable ASCII makes the whole id hex.
  CAF_CHECK_EQUAL(printable(shared_bytes::copy_of("ok\n")), "0x6f6b0a");
  CAF_CHECK_EQUAL(printable(shared_bytes::copy_of("")), "0x");
}
