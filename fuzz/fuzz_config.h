#pragma once
// The Config both config harnesses fill: one declared key of each type, so that the type checks
// (and not only "unknown key") are reached. The names are real keys, so the seeds look like configs.
#include <string>
#include <vector>

#include "core/config.h"

namespace esvgd::fuzz {

inline core::Config declared_config() {
  core::Config c;
  c.declare("particles", 50, "int");
  c.declare("svgd.step_size", 0.02, "double");
  c.declare("svgd.median", false, "bool");
  c.declare("svgd.optimizer", "sgd", "string");
  c.declare("samplers", std::vector<std::string>{"rbf", "orbit-matrix"}, "list of strings");
  c.declare("model.hidden", std::vector<int64_t>{64, 64}, "list of integers");
  c.declare("ablation.bandwidths", std::vector<double>{2.0, 1e-4}, "list of numbers");
  c.declare("train.lr_after", core::Config::Json::array(), "empty list: any list");
  return c;
}

/// The declared keys, in the config's (sorted) order.
inline const std::vector<std::string>& config_keys() {
  static const std::vector<std::string> keys = [] {
    const core::Config::Json resolved = declared_config().resolved();
    std::vector<std::string> out;
    for (const auto& item : resolved.items()) out.push_back(item.key());
    return out;
  }();
  return keys;
}

/// Reads every key back the way the experiments do, and prints the config as runs write it: an
/// accepted value must survive both without an exception.
inline void read_back(const core::Config& c) {
  (void)c.get_int("particles");
  (void)c.get_double("svgd.step_size");
  (void)c.get_bool("svgd.median");
  (void)c.get_string("svgd.optimizer");
  (void)c.get_strings("samplers");
  (void)c.get_ints("model.hidden");
  (void)c.get_doubles("ablation.bandwidths");
  (void)c.get("train.lr_after");
  (void)c.resolved().dump(2);
  (void)c.describe();
}

}  // namespace esvgd::fuzz
