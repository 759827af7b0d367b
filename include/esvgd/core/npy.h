#pragma once
/// NumPy .npy files (format versions 1.0-3.0), read and written with strict checks.
///
/// Reading checks the magic string, the header dictionary, the dtype (little-endian
/// float64/float32/int64/int32), C order and that the file holds exactly the bytes its shape needs;
/// every failure throws esvgd::Error(kFormat) naming the file and the cause.
#include <string>

#include <torch/types.h>

namespace esvgd::core {

/// Reads an .npy file into a CPU tensor of the stored dtype.
torch::Tensor read_npy(const std::string& path);

/// Writes a tensor (float64, float32, int64 or int32; any shape) atomically as .npy version 1.0.
void write_npy(const std::string& path, const torch::Tensor& tensor);

/// Reads particles for --init: a 2-D array [N, D] of float64 (float32 is rejected, so that no
/// precision is lost silently); checks D against `expected_dim` when it is positive.
torch::Tensor read_particles(const std::string& path, int64_t expected_dim);

}  // namespace esvgd::core
