#pragma once
/// Small tensors as plain float64 buffers without a tensor op: the per-step paths of the CD loops
/// (64 rows) pay about a microsecond for each op's dispatch and allocation (docs/results.md).
#include <algorithm>
#include <vector>

#include <torch/types.h>

namespace esvgd::core {

/// Appends the elements of t (any device, any dtype), row-major, as float64 to `out`.
inline void append_as_double(const torch::Tensor& t, std::vector<double>& out) {
  auto c = t.device().is_cpu() ? t.contiguous() : t.to(torch::kCPU).contiguous();
  if (c.scalar_type() != torch::kFloat64 && c.scalar_type() != torch::kFloat32) c = c.to(torch::kFloat64);
  if (c.scalar_type() == torch::kFloat64) out.insert(out.end(), c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  else out.insert(out.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace esvgd::core
