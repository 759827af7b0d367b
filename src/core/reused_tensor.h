#pragma once
/// A result tensor kept between calls and filled again while no one else holds it: the SVGD step's
/// intermediates (stacked rows, scores, the Stein direction) have the same shapes at every step, and
/// for the CD loops' 64-row problems an allocation costs a few percent of a step (docs/results.md).
#include <torch/types.h>

namespace esvgd::core {

/// `kept` itself when nothing else holds it or its memory (no other tensor, no view) and it has
/// these sizes and options; otherwise a new empty tensor, which `kept` then holds. A caller that
/// keeps the result it got keeps it intact: the next call then allocates.
inline torch::Tensor reused_or_empty(torch::Tensor& kept, torch::IntArrayRef sizes, const torch::TensorOptions& o) {
  const bool reusable = kept.defined() && kept.use_count() == 1 && kept.storage().use_count() == 1 &&
                        kept.sizes() == sizes && kept.is_contiguous() && kept.dtype() == o.dtype() &&
                        kept.device() == o.device() && !kept.requires_grad();
  if (!reusable) kept = torch::empty(sizes, o);
  return kept;
}

}  // namespace esvgd::core
