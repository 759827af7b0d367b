#pragma once
/// DW-4 training sets (Appendix E.1): the "fixed" set built from the meta-stable states, the
/// authors' files shipped in data/dw4 (see data/dw4/SOURCES.md), and a checked reader for
/// configuration files.
#include <string>
#include <vector>

#include <torch/types.h>

#include "esvgd/data/shipped_data.h"
#include "esvgd/target/meta_stable.h"

namespace esvgd::data {

/// Configurations [N, dim] float64 from an .npy array of float32 or float64 rows. Errors name the
/// file and the problem (not 2-D, wrong width, other dtype, non-finite values, and every format
/// error of core::read_npy: magic, header, truncation).
torch::Tensor read_configurations(const std::string& path, int64_t dim);

/// The seed's "fixed" set: for each state in order, `copies` copies of its centred representative
/// with independent N(0, noise²) noise per coordinate: [states · copies, D] float64, state-major.
torch::Tensor build_state_copies(const std::vector<target::MetaStableState>& states, int64_t copies, double noise,
                                 at::Generator& gen);

}  // namespace esvgd::data
