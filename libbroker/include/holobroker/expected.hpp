#pragma once

// A minimal value-or-error type. C++20 has no std::expected, and the codec
// must report every failure as a value (never as an exception) so that it can
// be used inside actors and fuzzed.

#include <cassert>
#include <utility>
#include <variant>

namespace holobroker {

template <class E>
struct unexpected {
  E error;
};

template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class expected {
public:
  expected(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  expected(unexpected<E> err) : data_(std::in_place_index<1>, std::move(err.error)) {}

  bool has_value() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(data_); }
  const T& value() const& { assert(has_value()); return std::get<0>(data_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { assert(!has_value()); return std::get<1>(data_); }
  E&& error() && { assert(!has_value()); return std::get<1>(std::move(data_)); }

private:
  std::variant<T, E> data_;
};

} // namespace holobroker
