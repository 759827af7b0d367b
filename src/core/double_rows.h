#pragma once
/// Small tensors as plain float64 buffers without a tensor op: the per-step paths of the CD loops
/// (64 rows) pay about a microsecond for each op's dispatch and allocation (docs/results.md).
#include <algorithm>
#include <vector>

#include <torch/types.h>

namespace esvgd::core {

/// The elements of t (any device, any dtype), row-major, as float64 in `out` (resized to fit).
inline void copy_as_double(const torch::Tensor& t, std::vector<double>& out) {
  auto c = t.device().is_cpu() ? t.contiguous() : t.to(torch::kCPU).contiguous();
  if (c.scalar_type() != torch::kFloat64 && c.scalar_type() != torch::kFloat32) c = c.to(torch::kFloat64);
  out.resize(static_cast<size_t>(c.numel()));
  if (c.scalar_type() == torch::kFloat64) std::copy_n(c.data_ptr<double>(), c.numel(), out.data());
  else std::copy_n(c.data_ptr<float>(), c.numel(), out.data());
}

}  // namespace esvgd::core
