#include "holobroker/wire/remote_exception.hpp"

#include <fmt/format.h>
#include "json_members.hpp"
#include "json_text.hpp"

namespace holobroker::wire {

std::string to_json(const remote_exception& ex) {
  using detail::append_json_string;
  std::string out;
  out.reserve(64 + ex.message.size() + ex.type.size());
  out += R"({"exception":{"message":)";
  append_json_string(out, ex.message);
  out += R"(,"type":)";
  append_json_string(out, ex.type);
  out += R"(,"traceback":[)";
  for (std::size_t i = 0; i < ex.traceback.size(); ++i) {
    if (i > 0)
      out += ',';
    append_json_string(out, ex.traceback[i]);
  }
  out += R"(],"notes":)";
  if (ex.notes)
    append_json_string(out, *ex.notes);
  else
    out += "null";
  out += "}}";
  return out;
}

namespace {

using detail::json_kind;
using detail::json_member;

constexpr std::string_view payload_what = "exception payload";
constexpr std::string_view inner_what = "exception payload field \"exception\"";

// {"exception": {...}}: remembers the raw text of the inner object; other
// top-level keys are tolerated like unknown header fields in replies.
struct outer_reader final : detail::member_visitor {
  std::string_view inner;
  unsigned seen = 0;

  std::optional<codec_error> on_member(const json_member& m) override {
    if (m.key != "exception")
      return std::nullopt;
    if (auto err = detail::check_member(seen, 1u, payload_what, m, json_kind::object,
                                        "an object"))
      return err;
    inner = m.raw;
    return std::nullopt;
  }
};

enum field_bit : unsigned {
  f_message = 1u << 0,
  f_type = 1u << 1,
  f_traceback = 1u << 2,
  f_notes = 1u << 3,
};

struct inner_reader final : detail::member_visitor {
  remote_exception ex;
  unsigned seen = 0;

  std::optional<codec_error> on_member(const json_member& m) override {
    if (m.key == "message" || m.key == "type") {
      bool is_message = m.key == "message";
      if (auto err = detail::mark_seen(seen, is_message ? f_message : f_type, inner_what, m))
        return err;
      return detail::assign_string(inner_what, m, is_message ? ex.message : ex.type);
    }
    if (m.key == "traceback") {
      if (auto err = detail::mark_seen(seen, f_traceback, inner_what, m))
        return err;
      if (m.kind == json_kind::null)
        return std::nullopt;
      if (m.kind != json_kind::array)
        return detail::wrong_type(inner_what, m, "a list of strings");
      return detail::read_string_list(m.raw, "exception payload field \"traceback\"",
                                      ex.traceback);
    }
    if (m.key == "notes") {
      if (auto err = detail::mark_seen(seen, f_notes, inner_what, m))
        return err;
      if (m.kind == json_kind::string)
        ex.notes.emplace(m.string);
      else if (m.kind != json_kind::null)
        ex.notes.emplace(m.raw); // tolerate structured notes, keep their JSON text
      return std::nullopt;
    }
    return std::nullopt;
  }
};

} // namespace

codec_result<remote_exception> parse_remote_exception(std::string_view json) {
  outer_reader outer;
  if (auto err = detail::read_members(json, payload_what, outer))
    return unexpected{std::move(*err)};
  if ((outer.seen & 1u) == 0)
    return fail(codec_errc::missing_field,
                fmt::format("{} has no \"exception\"", payload_what));
  inner_reader inner;
  if (auto err = detail::read_members(outer.inner, inner_what, inner))
    return unexpected{std::move(*err)};
  if ((inner.seen & f_message) == 0)
    return fail(codec_errc::missing_field, fmt::format("{} has no \"message\"", inner_what));
  if ((inner.seen & f_type) == 0)
    return fail(codec_errc::missing_field, fmt::format("{} has no \"type\"", inner_what));
  return std::move(inner.ex);
}

} // namespace holobroker::wire
