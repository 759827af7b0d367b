#include "esvgd/core/config.h"

#include <sstream>

#include "esvgd/core/atomic_file.h"
#include "esvgd/core/error.h"

namespace esvgd::core {

namespace {

[[noreturn]] void config_error(const std::string& key, const std::string& what) {
  throw Error(ErrorKind::kConfig, "config key '" + key + "'", what);
}

const char* type_name(const Config::Json& j) {
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "a list";
  if (j.is_object()) return "an object";
  return "null";
}

bool same_kind(const Config::Json& def, const Config::Json& v) {
  if (def.is_boolean()) return v.is_boolean();
  if (def.is_number_integer()) return v.is_number_integer() || (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())));
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

Config& Config::declare(const std::string& key, Json default_value, std::string doc) {
  Json kind = default_value;
  entries_[key] = Entry{std::move(default_value), std::move(kind), std::move(doc)};
  return *this;
}

void Config::set(const std::string& key, const Json& value, const std::string& source) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    std::string known;
    for (const auto& [k, e] : entries_) known += (known.empty() ? "" : ", ") + k;
    throw Error(ErrorKind::kConfig, source, "unknown config key '" + key + "' (known keys: " + known + ")");
  }
  const Json& declared = it->second.declared;
  if (!same_kind(declared, value))
    throw Error(ErrorKind::kConfig, source,
                "config key '" + key + "' must be " + type_name(declared) + ", got " + value.dump());
  // Store the value in the declared type: 3 for a number key stays the number 3.0, 2.0 for an integer key is 2.
  if (declared.is_number_integer()) it->second.value = Json(static_cast<int64_t>(value.get<double>()));
  else if (declared.is_number()) it->second.value = Json(value.get<double>());
  else it->second.value = value;
}

void Config::set_from_string(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(ErrorKind::kConfig, "--set " + assignment, "expected key=value");
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = text;
  set(key, value, "--set " + assignment);
}

void Config::merge(const Json& object, const std::string& source) {
  if (!object.is_object()) throw Error(ErrorKind::kConfig, source, "a config must be a JSON object");
  std::vector<std::pair<std::string, Json>> items;
  flatten(object, "", items);
  for (const auto& [k, v] : items) set(k, v, source);
}

void Config::merge_file(const std::string& path) {
  const std::string text = read_text(path);
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw Error(ErrorKind::kConfig, path, std::string("invalid JSON: ") + e.what());
  }
  merge(j, path);
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
  if (!(v > 0)) config_error(key, "must be > 0, got " + get(key).dump());
  return v;
}

Config::Json Config::resolved() const {
  Json out = Json::object();
  for (const auto& [k, e] : entries_) out[k] = e.value;
  return out;
}

std::string Config::describe() const {
  std::ostringstream os;
  for (const auto& [k, e] : entries_) os << k << " = " << e.value.dump() << "   # " << e.doc << "\n";
  return os.str();
}

}  // namespace esvgd::core
