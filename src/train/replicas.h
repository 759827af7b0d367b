#pragma once
/// What keeps the ranks of data-parallel training in step (docs/method.md, "Data-parallel
/// contrastive divergence"): gradients summed over the ranks before the optimiser step, a check
/// that every rank holds the same parameters, and rank 0's checkpoint handed to every rank.
#include <string>
#include <vector>

#include <torch/types.h>

#include "esvgd/core/collectives.h"

namespace esvgd::train {

/// Replaces every defined gradient of `parameters` by its sum over the ranks (one all-reduce).
void sum_gradients(const std::vector<torch::Tensor>& parameters, const core::Collectives& ranks);

/// 64-bit FNV-1a of the parameters' bytes: equal parameters, equal hashes.
uint64_t parameter_hash(const std::vector<torch::Tensor>& parameters);

/// Throws esvgd::Error(kNumerical) naming `where` and the first rank whose parameters differ from rank 0's.
void check_same_parameters(const std::vector<torch::Tensor>& parameters, const core::Collectives& ranks,
                           const std::string& where);

/// Rank 0's `bytes`, on every rank (the others' argument is ignored).
std::string broadcast_bytes(const std::string& bytes, const core::Collectives& ranks);

/// The largest of the ranks' values (every rank gets it): a signal one rank received stops them all.
int64_t max_over_ranks(int64_t value, const core::Collectives& ranks);

}  // namespace esvgd::train
