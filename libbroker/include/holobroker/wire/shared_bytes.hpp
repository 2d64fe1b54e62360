#pragma once

// An immutable, reference-counted view of a frame's bytes. Copying it is
// cheap (one reference count), so payloads travel between actors, caches and
// sockets without being copied: CAF 0.17 messages must be copyable, but a
// 1 MiB payload must not be copied on every hop.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace holobroker::wire {

class shared_bytes {
public:
  shared_bytes() = default;

  /// Shares `size` bytes at `data`, kept alive by `owner`.
  shared_bytes(std::shared_ptr<const void> owner, const char* data, std::size_t size)
    : owner_(std::move(owner)), data_(data), size_(size) {}

  /// Takes ownership of a string without copying its characters.
  static shared_bytes from_string(std::string text);

  /// Copies `text` (for small literals and tests).
  static shared_bytes copy_of(std::string_view text);

  const char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::string_view view() const noexcept { return {data_, size_}; }
  std::string to_string() const { return std::string{view()}; }

  /// The object keeping the bytes alive (used to hand them to libzmq without a copy).
  const std::shared_ptr<const void>& owner() const noexcept { return owner_; }

  friend bool operator==(const shared_bytes& a, const shared_bytes& b) noexcept {
    return a.view() == b.view();
  }
  friend bool operator==(const shared_bytes& a, std::string_view b) noexcept {
    return a.view() == b;
  }

private:
  std::shared_ptr<const void> owner_;
  const char* data_ = "";
  std::size_t size_ = 0;
};

} // namespace holobroker::wire
