#include "property_spec.hpp"

#include <cmath>
#include <regex>

#include <fmt/format.h>

namespace holobroker::sim {

std::optional<value_type> parse_value_type(std::string_view t) {
  if (t == "number" || t == "float")
    return value_type::number;
  if (t == "integer" || t == "int")
    return value_type::integer;
  if (t == "string" || t == "str")
    return value_type::string;
  if (t == "boolean" || t == "bool")
    return value_type::boolean;
  if (t == "array" || t == "list")
    return value_type::array;
  if (t == "object" || t == "dict")
    return value_type::object;
  if (t == "any")
    return value_type::any;
  return std::nullopt;
}

std::string_view schema_name(value_type type) {
  switch (type) {
    case value_type::number: return "number";
    case value_type::integer: return "integer";
    case value_type::string: return "string";
    case value_type::boolean: return "boolean";
    case value_type::array: return "array";
    case value_type::object: return "object";
    case value_type::any: break;
  }
  return "";
}

namespace {

bool has_type(const nlohmann::json& v, value_type t) {
  switch (t) {
    case value_type::number: return v.is_number();
    case value_type::integer:
      // 3.0 counts as an integer (msgspec sends floats as 3.0), 3.5 does not.
      return v.is_number_integer()
             || (v.is_number_float() && std::isfinite(v.get<double>())
                 && v.get<double>() == std::trunc(v.get<double>()));
    case value_type::string: return v.is_string();
    case value_type::boolean: return v.is_boolean();
    case value_type::array: return v.is_array();
    case value_type::object: return v.is_object();
    case value_type::any: return true;
  }
  return false;
}

std::string_view python_type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "NoneType";
    case nlohmann::json::value_t::boolean: return "bool";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "int";
    case nlohmann::json::value_t::number_float: return "float";
    case nlohmann::json::value_t::string: return "str";
    case nlohmann::json::value_t::array: return "list";
    case nlohmann::json::value_t::object: return "dict";
    default: return "bytes";
  }
}

} // namespace

std::optional<remote_error> property_spec::validate(const nlohmann::json& value) const {
  if (value.is_null()) {
    if (nullable || type == value_type::any)
      return std::nullopt;
    return remote_error{"ValueError",
                        fmt::format("None is not allowed for parameter {}.", name)};
  }
  if (!has_type(value, type))
    return remote_error{"TypeError",
                        fmt::format("{} parameter {} must be of type {}, not {}.",
                                    schema_name(type), name, schema_name(type),
                                    python_type_name(value))};
  if (value.is_number() && (minimum || maximum)) {
    auto x = value.get<double>();
    if ((minimum && x < *minimum) || (maximum && x > *maximum))
      return remote_error{
        "ValueError",
        fmt::format("given value {} is not in the bounds [{}, {}] of parameter {}.",
                    value.dump(), minimum ? fmt::format("{}", *minimum) : "None",
                    maximum ? fmt::format("{}", *maximum) : "None", name)};
  }
  if (value.is_string() && pattern) {
    // Compiled per write: writes of regex-checked properties are rare.
    std::regex re{*pattern, std::regex::ECMAScript};
    if (!std::regex_search(value.get_ref<const std::string&>(), re,
                           std::regex_constants::match_continuous))
      return remote_error{"ValueError",
                          fmt::format("given string value {} does not match regex {}. "
                                      "parameter name : {}.",
                                      value.get<std::string>(), *pattern, name)};
  }
  return std::nullopt;
}

} // namespace holobroker::sim
