#include "experiment/figure_data.h"

#include <algorithm>
#include <filesystem>

#include "core/atomic_file.h"
#include "esvgd/core/npy.h"

namespace esvgd::experiment {

FigureData& FigureData::set(const std::string& key, nlohmann::json value) {
  json_[nlohmann::json::json_pointer("/" + key)] = std::move(value);
  return *this;
}

FigureData& FigureData::array(const std::string& key, const torch::Tensor& values) {
  std::string file = name_ + "." + key + ".npy";
  std::replace(file.begin(), file.end(), '/', '.');
  json_[nlohmann::json::json_pointer("/" + key)] = {{"npy", file}};
  arrays_.emplace_back(file, values.detach().to(torch::kCPU, torch::kFloat64).contiguous());
  return *this;
}

void FigureData::write(const std::string& out_dir) const {
  const auto dir = std::filesystem::path(out_dir) / "figures";
  std::filesystem::create_directories(dir);
  for (const auto& [file, values] : arrays_) core::write_npy((dir / file).string(), values);
  core::write_text_atomic((dir / (name_ + ".json")).string(), json_.dump(1) + "\n");
}

}  // namespace esvgd::experiment
