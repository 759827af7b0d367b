#pragma once
/// Experiment configuration: a flat set of declared keys ("svgd.step_size"), each with a default
/// that fixes its type and a one-line doc. Values come from presets, JSON files (nested objects
/// are flattened with dots) and --set key=value; an unknown key, a value of the wrong type or out of
/// range (integers are 64-bit), a key repeated in one JSON object and JSON nested deeper than 64
/// levels are esvgd::Error(kConfig) naming the key and where the value came from.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "esvgd/core/error.h"

namespace esvgd::core {

class Config {
 public:
  using Json = nlohmann::json;

  /// Declares `key` with its default value (whose JSON type the key keeps) and a doc line; `options`
  /// names the library options the key sets ("SvgdOptions::max_steps"), so that errors can name the key.
  Config& declare(const std::string& key, Json default_value, std::string doc, std::vector<std::string> options = {});

  /// Sets a declared key; `source` names where the value came from (file, --set, preset).
  void set(const std::string& key, const Json& value, const std::string& source);
  /// Parses "key=value": value is read as JSON when it parses (numbers, true, [..]), else as a string.
  void set_from_string(const std::string& assignment);
  /// Applies every key of a JSON object (nested objects flattened with dots), except "ranks": the
  /// record of the ranks that a multi-rank run writes into its config.resolved.json (the launcher
  /// sets the ranks, not a config file).
  void merge(const Json& object, const std::string& source);
  /// Reads a JSON file and merges it; parse errors name the file.
  void merge_file(const std::string& path);

  bool has(const std::string& key) const { return entries_.count(key) > 0; }
  const Json& get(const std::string& key) const;
  double get_double(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  std::vector<std::string> get_strings(const std::string& key) const;
  std::vector<double> get_doubles(const std::string& key) const;
  std::vector<int64_t> get_ints(const std::string& key) const;
  /// get_double that requires value > 0 (error names the key).
  double get_positive(const std::string& key) const;

  /// Flat {key: value} of every declared key, as used.
  Json resolved() const;
  /// One line per key: "key = value   # doc".
  std::string describe() const;

  /// The error with every option that a declared key sets replaced by that key ("key1 or key2" when
  /// several keys set the same option); an error located at such an option becomes kConfig.
  Error in_key_terms(const Error& error) const;

 private:
  struct Entry {
    Json value;
    Json declared;  ///< the default: its JSON type is the key's type
    std::string doc;
    std::vector<std::string> options;  ///< the library options the key sets
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace esvgd::core
