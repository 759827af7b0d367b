#pragma once
/// torch::cat({top, bottom}) of two [rows, columns] tensors, as one allocation and two copies where
/// that is the same thing: the SVGD step joins the particles to the anchors twice per step, and for
/// the CD loops' 64-row problems LibTorch's cat costs twice what an empty tensor does
/// (docs/results.md).
#include <cstring>

#include <torch/types.h>

#include "core/reused_tensor.h"

namespace esvgd::core {

/// With `kept`, the result is written into *kept where reused_or_empty allows (and no allocation
/// is made).
inline torch::Tensor stack_rows(const torch::Tensor& top, const torch::Tensor& bottom, torch::Tensor* kept = nullptr) {
  const bool plain = top.dim() == 2 && bottom.dim() == 2 && top.size(1) == bottom.size(1) &&
                     top.device().is_cpu() && bottom.device().is_cpu() &&
                     top.scalar_type() == bottom.scalar_type() && top.is_contiguous() && bottom.is_contiguous() &&
                     !(torch::GradMode::is_enabled() && (top.requires_grad() || bottom.requires_grad()));
  if (!plain) return torch::cat({top, bottom});
  const int64_t rows = top.size(0) + bottom.size(0), columns = top.size(1);
  auto out = kept ? reused_or_empty(*kept, {rows, columns}, top.options())
                  : torch::empty({rows, columns}, top.options());
  auto* bytes = static_cast<char*>(out.data_ptr());
  // An empty tensor's data pointer may be null, which memcpy must not see even for 0 bytes.
  if (top.nbytes() > 0) std::memcpy(bytes, top.data_ptr(), top.nbytes());
  if (bottom.nbytes() > 0) std::memcpy(bytes + top.nbytes(), bottom.data_ptr(), bottom.nbytes());
  return out;
}

}  // namespace esvgd::core
