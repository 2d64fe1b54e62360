#include "holobroker/wire/remote_exception.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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

codec_result<remote_exception> parse_remote_exception(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded())
    return fail(codec_errc::not_json, "exception payload is not JSON");
  if (!doc.is_object())
    return fail(codec_errc::not_object, "exception payload is not a JSON object");
  auto outer = doc.find("exception");
  if (outer == doc.end())
    return fail(codec_errc::missing_field, "exception payload has no \"exception\"");
  if (!outer->is_object())
    return fail(codec_errc::wrong_type, "exception payload field \"exception\" must be an object");
  remote_exception ex;
  auto text = [&](const char* key, std::string& out) -> std::optional<codec_error> {
    auto it = outer->find(key);
    if (it == outer->end())
      return codec_error{codec_errc::missing_field,
                         fmt::format("exception payload has no \"{}\"", key)};
    if (!it->is_string())
      return codec_error{codec_errc::wrong_type,
                         fmt::format("exception payload field \"{}\" must be a string", key)};
    out = it->get<std::string>();
    return std::nullopt;
  };
  if (auto err = text("message", ex.message))
    return unexpected{std::move(*err)};
  if (auto err = text("type", ex.type))
    return unexpected{std::move(*err)};
  if (auto tb = outer->find("traceback"); tb != outer->end() && !tb->is_null()) {
    if (!tb->is_array())
      return fail(codec_errc::wrong_type,
                  "exception payload field \"traceback\" must be a list of strings");
    for (const auto& line : *tb) {
      if (!line.is_string())
        return fail(codec_errc::wrong_type,
                    "exception payload field \"traceback\" must be a list of strings");
      ex.traceback.push_back(line.get<std::string>());
    }
  }
  if (auto notes = outer->find("notes"); notes != outer->end() && !notes->is_null()) {
    if (notes->is_string())
      ex.notes = notes->get<std::string>();
    else
      ex.notes = notes->dump(); // tolerate structured notes, keep their text
  }
  return ex;
}

} // namespace holobroker::wire
