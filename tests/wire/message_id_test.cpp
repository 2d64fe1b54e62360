// Message ids are canonical lowercase UUID4s, fresh for every message.
#define CAF_SUITE wire.message_id
#include <caf/test/unit_test.hpp>

#include <set>
#include <string>

#include "holobroker/wire/message_id.hpp"

using namespace holobroker::wire;

CAF_TEST(a new message id is 36 lowercase hex characters with hyphens at 8 13 18 23) {
  for (int i = 0; i < 100; ++i) {
    auto id = new_message_id();
    CAF_REQUIRE_EQUAL(id.size(), 36u);
    for (std::size_t pos = 0; pos < id.size(); ++pos) {
      bool hyphen = pos == 8 || pos == 13 || pos == 18 || pos == 23;
      char c = id[pos];
      if (hyphen)
        CAF_CHECK_EQUAL(c, '-');
      else
        CAF_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    CAF_CHECK(is_canonical_uuid(id));
  }
}

CAF_TEST(a new message id has version 4 and the RFC 4122 variant bits) {
  std::set<char> variants;
  for (int i = 0; i < 200; ++i) {
    auto id = new_message_id();
    CAF_CHECK_EQUAL(id[14], '4');
    char variant = id[19];
    CAF_CHECK(variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
    variants.insert(variant);
  }
  // The two free variant bits are random, not constant.
  CAF_CHECK_GREATER(variants.size(), 1u);
}

CAF_TEST(message ids do not repeat) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i)
    ids.insert(new_message_id());
  CAF_CHECK_EQUAL(ids.size(), 10000u);
}

CAF_TEST(is_canonical_uuid rejects uppercase or missing hyphens or wrong lengths) {
  CAF_CHECK(is_canonical_uuid("56c6fc46-2fa4-4f87-b164-4ba55528f15f"));
  CAF_CHECK(!is_canonical_uuid("56C6FC46-2FA4-4F87-B164-4BA55528F15F"));
  CAF_CHECK(!is_canonical_uuid("56c6fc462fa44f87b1644ba55528f15f"));
  CAF_CHECK(!is_canonical_uuid("56c6fc46-2fa4-4f87-b164-4ba55528f15"));
  CAF_CHECK(!is_canonical_uuid("56c6fc46-2fa4-4f87-b164_4ba55528f15f"));
  CAF_CHECK(!is_canonical_uuid("56c6fc46-2fa4-4f87-b164-4ba55528f15g"));
  CAF_CHECK(!is_canonical_uuid(""));
}
