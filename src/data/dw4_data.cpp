#include "esvgd/data/dw4_data.h"

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"

namespace esvgd::data {

torch::Tensor read_configurations(const std::string& path, int64_t dim) {
  auto a = core::read_npy(path);
  if (a.dim() != 2 || a.size(1) != dim)
    throw Error(ErrorKind::kFormat, path, "expected configurations [N, " + std::to_string(dim) + "], got shape " +
                                              c10::str(a.sizes()));
  if (a.size(0) == 0) throw Error(ErrorKind::kFormat, path, "holds no configuration");
  if (a.scalar_type() != torch::kFloat32 && a.scalar_type() != torch::kFloat64)
    throw Error(ErrorKind::kFormat, path, std::string("expected float32 or float64 values, got ") +
                                              c10::toString(a.scalar_type()));
  a = a.to(torch::kFloat64);
  auto bad = (~torch::isfinite(a)).any(1).nonzero();
  if (bad.numel() > 0)
    throw Error(ErrorKind::kFormat, path, "row " + std::to_string(bad[0].item<int64_t>()) + " holds a non-finite value");
  return a;
}

torch::Tensor build_state_copies(const std::vector<target::MetaStableState>& states, int64_t copies, double noise,
                                 at::Generator& gen) {
  ESVGD_CHECK(!states.empty(), "no states to copy");
  ESVGD_CHECK(copies >= 1, "copies per state must be >= 1, got ", copies);
  ESVGD_CHECK(noise >= 0 && std::isfinite(noise), "noise must be a finite standard deviation >= 0, got ", noise);
  std::vector<torch::Tensor> blocks;
  for (const auto& s : states) {
    auto x = torch::tensor(s.x, torch::kFloat64).view({1, -1});
    blocks.push_back(x.expand({copies, x.size(1)}) + noise * torch::randn({copies, x.size(1)}, gen, torch::kFloat64));
  }
  return torch::cat(blocks);
}

}  // namespace esvgd::data
