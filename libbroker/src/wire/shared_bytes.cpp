#include "holobroker/wire/shared_bytes.hpp"

#include "holobroker/wire/frames.hpp"

namespace holobroker::wire {

shared_bytes shared_bytes::from_string(std::string text) {
  auto owner = std::make_shared<const std::string>(std::move(text));
  const auto* str = owner.get();
  return shared_bytes{std::move(owner), str->data(), str->size()};
}

shared_bytes shared_bytes::copy_of(std::string_view text) {
  return from_string(std::string{text});
}

const shared_bytes& null_payload() {
  static const shared_bytes instance{nullptr, null_payload_text.data(),
                                     null_payload_text.size()};
  return instance;
}

const shared_bytes& empty_frame() {
  static const shared_bytes instance;
  return instance;
}

} // namespace holobroker::wire
