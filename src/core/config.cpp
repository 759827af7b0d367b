#include "core/config.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>
#include <vector>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"

namespace esvgd::core {

namespace {

[[noreturn]] void config_error(const std::string& key, const std::string& what) {
  throw Error(ErrorKind::kConfig, "config key '" + key + "'", what);
}

const char* type_name(const Config::Json& j) {
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer()) return "an integer (64-bit)";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "a list";
  if (j.is_object()) return "an object";
  return "null";
}

/// Deeper JSON is refused: copying and printing a value recurse once per level.
constexpr int kMaxJsonDepth = 64;

/// At most `n` characters of `text`, for messages that quote user input.
std::string clipped(const std::string& text, size_t n = 120) {
  return text.size() <= n ? text : text.substr(0, n) + "...";
}

/// A value for printing in a message: invalid UTF-8 is replaced rather than thrown, long text clipped.
std::string shown(const Config::Json& v) {
  return clipped(v.dump(-1, ' ', false, Config::Json::error_handler_t::replace));
}

/// An integer that fits int64_t; an integral number written as a float (1e6) counts.
bool fits_int64(const Config::Json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX);
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.2e18;
}

int64_t as_int64(const Config::Json& v) {
  return v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(v.get<double>());
}

/// Parses JSON text. Nesting deeper than kMaxJsonDepth and repeated keys (the last would silently
/// win) are errors naming `source`; so is invalid JSON, unless `or_string` makes such text a plain
/// string (--set key=text).
Config::Json parse_json(const std::string& text, const std::string& source, bool or_string) {
  std::vector<std::set<std::string>> keys;  // the keys seen in each open object
  auto check = [&](int depth, Config::Json::parse_event_t event, Config::Json& parsed) {
    using Event = Config::Json::parse_event_t;
    if ((event == Event::object_start || event == Event::array_start) && depth >= kMaxJsonDepth)
      throw Error(ErrorKind::kConfig, source, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (event == Event::object_start) keys.emplace_back();
    if (event == Event::object_end) keys.pop_back();
    if (event == Event::key && !keys.back().insert(parsed.get<std::string>()).second)
      throw Error(ErrorKind::kConfig, source, "JSON key '" + clipped(parsed.get<std::string>()) + "' appears twice in one object");
    return true;
  };
  try {
    return Config::Json::parse(text, check);
  } catch (const Config::Json::exception& e) {
    if (or_string) return text;
    throw Error(ErrorKind::kConfig, source, std::string("invalid JSON: ") + e.what());
  }
}

bool same_kind(const Config::Json& def, const Config::Json& v) {
  if (def.is_boolean()) return v.is_boolean();
  if (def.is_number_integer()) return fits_int64(v);
  if (def.is_number()) return v.is_number();
  if (def.is_string()) return v.is_string();
  if (def.is_array()) {
    if (!v.is_array()) return false;
    if (def.empty()) return true;
    for (const auto& e : v)
      if (!same_kind(def.front(), e)) return false;
    return true;
  }
  return def.type() == v.type();
}

void flatten(const Config::Json& obj, const std::string& prefix, std::vector<std::pair<std::string, Config::Json>>& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object())
      flatten(*it, key, out);
    else
      out.emplace_back(key, *it);
  }
}

}  // namespace

Config& Config::declare(const std::string& key, Json default_value, std::string doc, std::vector<std::string> options) {
  Json kind = default_value;
  entries_[key] = Entry{std::move(default_value), std::move(kind), std::move(doc), std::move(options)};
  return *this;
}

void Config::set(const std::string& key, const Json& value, const std::string& source) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    std::string known;
    for (const auto& [k, e] : entries_) known += (known.empty() ? "" : ", ") + k;
    throw Error(ErrorKind::kConfig, source, "unknown config key '" + clipped(key) + "' (known keys: " + known + ")");
  }
  const Json& declared = it->second.declared;
  if (!same_kind(declared, value))
    throw Error(ErrorKind::kConfig, source,
                "config key '" + key + "' must be " + type_name(declared) + ", got " + shown(value));
  try {
    (void)value.dump();  // the resolved config is written as JSON: its text must be valid UTF-8
  } catch (const Json::type_error&) {
    throw Error(ErrorKind::kConfig, source, "config key '" + key + "' holds text that is not valid UTF-8");
  }
  // Store the value in the declared type: 3 for a number key stays the number 3.0, 2.0 for an integer key is 2.
  if (declared.is_number_integer()) it->second.value = Json(as_int64(value));
  else if (declared.is_number()) it->second.value = Json(value.get<double>());
  else it->second.value = value;
}

void Config::set_from_string(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(ErrorKind::kConfig, "--set " + clipped(assignment), "expected key=value");
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  const std::string source = "--set " + clipped(assignment);
  set(key, parse_json(text, source, /*or_string=*/true), source);
}

void Config::merge(const Json& object, const std::string& source) {
  if (!object.is_object()) throw Error(ErrorKind::kConfig, source, "a config must be a JSON object");
  std::vector<std::pair<std::string, Json>> items;
  flatten(object, "", items);
  for (const auto& [k, v] : items)
    if (k.rfind("ranks.", 0) != 0) set(k, v, source);
}

void Config::merge_file(const std::string& path) {
  merge(parse_json(read_text(path), path, /*or_string=*/false), path);
}

const Config::Json& Config::get(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) config_error(key, "was never declared (internal)");
  return it->second.value;
}

double Config::get_double(const std::string& key) const { return get(key).get<double>(); }
int64_t Config::get_int(const std::string& key) const { return get(key).get<int64_t>(); }
bool Config::get_bool(const std::string& key) const { return get(key).get<bool>(); }
std::string Config::get_string(const std::string& key) const { return get(key).get<std::string>(); }
std::vector<std::string> Config::get_strings(const std::string& key) const {
  return get(key).get<std::vector<std::string>>();
}
std::vector<double> Config::get_doubles(const std::string& key) const { return get(key).get<std::vector<double>>(); }
std::vector<int64_t> Config::get_ints(const std::string& key) const { return get(key).get<std::vector<int64_t>>(); }

double Config::get_positive(const std::string& key) const {
  const double v = get_double(key);
  if (!(v > 0)) config_error(key, "must be > 0, got " + shown(get(key)));
  return v;
}

Config::Json Config::resolved() const {
  Json out = Json::object();
  for (const auto& [k, e] : entries_) out[k] = e.value;
  return out;
}

std::string Config::describe() const {
  std::ostringstream os;
  for (const auto& [k, e] : entries_) os << k << " = " << shown(e.value) << "   # " << e.doc << "\n";
  return os.str();
}

namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Replaces whole-name occurrences of `name` (no name character on either side) in text.
std::string replace_name(std::string text, const std::string& name, const std::string& by) {
  for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at)) {
    const size_t end = at + name.size();
    if ((at > 0 && is_name_char(text[at - 1])) || (end < text.size() && is_name_char(text[end]))) {
      at = end;
      continue;
    }
    text.replace(at, name.size(), by);
    at += by.size();
  }
  return text;
}

}  // namespace

Error Config::in_key_terms(const Error& error) const {
  std::map<std::string, std::string> keys_of;  // option -> "key" or "key1 or key2"
  for (const auto& [key, entry] : entries_)
    for (const auto& option : entry.options) keys_of[option] += (keys_of[option].empty() ? "" : " or ") + key;
  std::string message = error.message();
  for (const auto& [option, keys] : keys_of) message = replace_name(message, option, keys);
  const auto where = keys_of.find(error.where());
  if (where == keys_of.end()) return Error(error.kind(), error.where(), message);
  return Error(ErrorKind::kConfig, where->second, message);
}

}  // namespace esvgd::core
