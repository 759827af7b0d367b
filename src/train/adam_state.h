#pragma once
// Adam's state in a checkpoint, by parameter index. LibTorch's own Adam::save keys the state by the
// parameters' memory addresses, which differ from process to process, so equal states gave
// different files; written by index, equal states give equal bytes (sha256sum verifies a resume).
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace torch::optim {
class Adam;
}

namespace esvgd::train {

void save_adam_state(const torch::optim::Adam& adam, torch::serialize::OutputArchive& archive);

/// Reads what save_adam_state wrote (each tensor moved to its parameter's device); returns false
/// when `archive` is in LibTorch's own layout (checkpoints written before this one).
bool load_adam_state(torch::optim::Adam& adam, torch::serialize::InputArchive& archive);

}  // namespace esvgd::train
