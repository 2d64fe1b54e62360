#include "json_members.hpp"

#include <fmt/format.h>

#include "json_reader.hpp"
#include "json_text.hpp"

namespace holobroker::wire::detail {

std::string_view to_string(json_kind kind) noexcept {
  switch (kind) {
    case json_kind::string: return "string";
    case json_kind::number: return "number";
    case json_kind::boolean: return "boolean";
    case json_kind::null: return "null";
    case json_kind::object: return "object";
    case json_kind::array: return "array";
  }
  return "unknown";
}

codec_error wrong_type(std::string_view what, const json_member& member,
                       std::string_view expected) {
  return {codec_errc::wrong_type,
          fmt::format("{} field {} must be {}, not {}", what, quoted(member.key), expected,
                      to_string(member.kind))};
}

codec_error duplicate_field(std::string_view what, const json_member& member) {
  return codec_error{codec_errc::bad_value,
                     fmt::format("{} has field {} twice", what, quoted(member.key))};
}

std::optional<codec_error> assign_string(std::string_view what, const json_member& member,
                                         std::string& out) {
  if (member.kind != json_kind::string)
    return wrong_type(what, member, "a string");
  out.assign(member.string);
  return std::nullopt;
}

namespace {

codec_error not_json_error(std::string_view what, const json_syntax_error& err) {
  return codec_error{codec_errc::not_json,
                     fmt::format("{} is not JSON: {} at offset {}", what, err.reason, err.offset)};
}

json_kind kind_of(json_event_kind kind) noexcept {
  switch (kind) {
    case json_event_kind::string: return json_kind::string;
    case json_event_kind::number: return json_kind::number;
    case json_event_kind::boolean: return json_kind::boolean;
    case json_event_kind::null: return json_kind::null;
    case json_event_kind::object: return json_kind::object;
    case json_event_kind::array: return json_kind::array;
  }
  return json_kind::null;
}

// Reports the members of a root object, and of top-level objects the visitor
// asks for; deeper values are only validated. The whole document is always
// read: a syntax error anywhere wins over a semantic error reported by a
// visitor or a root that is not an object.
class flat_object_handler {
public:
  flat_object_handler(std::string_view json, member_visitor& visitor)
    : json_(json), visitor_(visitor) {}

  std::optional<codec_error> error;
  bool root_is_object = false;

  bool begin_container(json_event_kind kind, int depth, std::size_t) {
    if (depth == 0)
      root_is_object = kind == json_event_kind::object;
    else if (depth == 1 && root_is_object && kind == json_event_kind::object && !error)
      inner_ = visitor_.nested(outer_.key);
    return true;
  }
  bool end_container(json_event_kind kind, int depth, std::size_t begin, std::size_t end) {
    if (depth == 1 && root_is_object) {
      inner_ = nullptr;
      report(visitor_, outer_, kind_of(kind), begin, end);
    } else if (depth == 2 && inner_ != nullptr) {
      report(*inner_, inner_member_, kind_of(kind), begin, end);
    }
    return true;
  }
  bool key(int depth, std::string_view name) {
    if (depth == 1)
      remember(outer_, name);
    else if (depth == 2 && inner_ != nullptr)
      remember(inner_member_, name);
    return true;
  }
  bool scalar(const json_scalar& value) {
    if (value.depth == 1 && root_is_object)
      report(visitor_, outer_, value);
    else if (value.depth == 2 && inner_ != nullptr)
      report(*inner_, inner_member_, value);
    return true;
  }

private:
  // The name of the member being read at one depth.
  struct member_key {
    std::string_view key;
    std::string escaped; ///< storage when the name had escapes
  };

  void remember(member_key& m, std::string_view name) {
    // An unescaped name views the input and stays valid; a decoded one lives
    // in the reader's scratch buffer, which nested keys overwrite.
    if (name.data() >= json_.data() && name.data() < json_.data() + json_.size()) {
      m.key = name;
    } else {
      m.escaped.assign(name);
      m.key = m.escaped;
    }
  }

  void report(member_visitor& to, const member_key& m, json_kind kind, std::size_t begin,
              std::size_t end) {
    json_member member;
    member.kind = kind;
    deliver(to, m, member, begin, end);
  }

  void report(member_visitor& to, const member_key& m, const json_scalar& value) {
    json_member member;
    member.kind = kind_of(value.kind);
    member.string = value.string;
    member.number = value.number;
    member.boolean = value.boolean;
    deliver(to, m, member, value.begin, value.end);
  }

  void deliver(member_visitor& to, const member_key& m, json_member& member, std::size_t begin,
               std::size_t end) {
    if (error)
      return; // report the first problem only
    member.key = m.key;
    member.raw = json_.substr(begin, end - begin);
    error = to.on_member(member);
  }

  std::string_view json_;
  member_visitor& visitor_;
  member_visitor* inner_ = nullptr;
  member_key outer_;
  member_key inner_member_;
};

// `["a","b",…]`: anything but a flat list of strings stops the read with an
// error naming the offending element.
class string_list_handler {
public:
  string_list_handler(std::string_view what, std::vector<std::string>& out)
    : what_(what), out_(out) {}

  std::optional<codec_error> error;

  bool begin_container(json_event_kind kind, int depth, std::size_t) {
    return (depth == 0 && kind == json_event_kind::array) || not_a_string();
  }
  bool end_container(json_event_kind, int, std::size_t, std::size_t) { return true; }
  bool key(int, std::string_view) { return true; }
  bool scalar(const json_scalar& value) {
    if (value.depth != 1 || value.kind != json_event_kind::string)
      return not_a_string();
    out_.emplace_back(value.string);
    return true;
  }

private:
  bool not_a_string() {
    error = codec_error{codec_errc::wrong_type,
                        fmt::format("{} must be a list of strings; element {} is not a string",
                                    what_, out_.size())};
    return false;
  }

  std::string_view what_;
  std::vector<std::string>& out_;
};

class single_string_handler {
public:
  explicit single_string_handler(std::string& out) : out_(out) {}

  bool is_string = false;

  bool begin_container(json_event_kind, int, std::size_t) { return true; }
  bool end_container(json_event_kind, int, std::size_t, std::size_t) { return true; }
  bool key(int, std::string_view) { return true; }
  bool scalar(const json_scalar& value) {
    if (value.depth == 0 && value.kind == json_event_kind::string) {
      out_.assign(value.string);
      is_string = true;
    }
    return true;
  }

private:
  std::string& out_;
};

// Accepts any valid document.
struct validating_handler {
  bool begin_container(json_event_kind, int, std::size_t) { return true; }
  bool end_container(json_event_kind, int, std::size_t, std::size_t) { return true; }
  bool key(int, std::string_view) { return true; }
  bool scalar(const json_scalar&) { return true; }
};

} // namespace

std::optional<codec_error> read_members(std::string_view json, std::string_view what,
                                        member_visitor& visitor) {
  flat_object_handler handler{json, visitor};
  auto result = json_reader{json}.read(handler);
  if (!result.ok)
    return not_json_error(what, result.error);
  if (!handler.root_is_object)
    return codec_error{codec_errc::not_object, fmt::format("{} is not a JSON object", what)};
  return handler.error;
}

std::optional<codec_error> read_string_list(std::string_view json, std::string_view what,
                                            std::vector<std::string>& out) {
  string_list_handler handler{what, out};
  auto result = json_reader{json}.read(handler);
  if (handler.error)
    return handler.error;
  if (!result.ok)
    return not_json_error(what, result.error);
  return std::nullopt;
}

std::optional<codec_error> read_string(std::string_view json, std::string_view what,
                                       std::string& out) {
  single_string_handler handler{out};
  auto result = json_reader{json}.read(handler);
  if (!result.ok)
    return not_json_error(what, result.error);
  if (!handler.is_string)
    return codec_error{codec_errc::wrong_type, fmt::format("{} is not a JSON string", what)};
  return std::nullopt;
}

std::optional<codec_error> append_compact(std::string& out, std::string_view json,
                                          std::string_view what) {
  validating_handler handler;
  auto result = json_reader{json}.read(handler);
  if (!result.ok)
    return not_json_error(what, result.error);
  // Valid JSON minus the whitespace outside strings is compact valid JSON;
  // strings and numbers keep their exact text.
  out.reserve(out.size() + json.size());
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\')
        out += json[++i];
      else if (c == '"')
        in_string = false;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out += c;
      in_string = c == '"';
    }
  }
  return std::nullopt;
}

} // namespace holobroker::wire::detail
