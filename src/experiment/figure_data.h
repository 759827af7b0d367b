#pragma once
/// The data behind a figure: what an experiment writes so that the Python package's plotting module
/// (python/esvgd/plot/) can draw it, now or later (`esvgd plot RUN_DIR`). A figure is
/// <run>/figures/<name>.json, whose values may name arrays stored beside it as
/// <name>.<key>.npy (float64); docs/method.md ("Figures") describes the layout.
#include <string>

#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace esvgd::experiment {

class FigureData {
 public:
  /// name: the file stem and the drawing function's key in the experiment's plotting module.
  explicit FigureData(std::string name) : name_(std::move(name)) { json_["figure"] = name_; }

  /// A plain JSON value at a top-level key.
  FigureData& set(const std::string& key, nlohmann::json value);
  /// An array: written as <name>.<key>.npy; the JSON holds {"npy": file name}. `key` may be a path
  /// "rows/2/particles" (JSON pointer without the leading slash) for arrays inside lists.
  FigureData& array(const std::string& key, const torch::Tensor& values);
  /// Writes figures/<name>.json (atomically) and its arrays under out_dir.
  void write(const std::string& out_dir) const;

 private:
  std::string name_;
  nlohmann::json json_;
  std::vector<std::pair<std::string, torch::Tensor>> arrays_;
};

}  // namespace esvgd::experiment
