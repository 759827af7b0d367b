#pragma once
/// The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type byte, the number of
/// dimensions, that many big-endian uint32 sizes, then the elements in row-major order.
///
/// Only unsigned bytes (type 0x08) are supported: it is the only type those datasets use. Errors
/// are esvgd::Error whose `where` is the file: kIo when it cannot be opened or written, kFormat
/// for its content (corrupt gzip stream, bad magic, unsupported type, 0 or > 4 dimensions, a
/// zero-size dimension, more than 2^31 elements, truncated header or data, trailing bytes).
#include <string>

#include <torch/types.h>

namespace esvgd::data {

/// The file as a uint8 tensor of its shape. Raw and gzip-compressed files are both read (the
/// datasets ship gzipped; an unpacked copy should work too).
torch::Tensor read_idx(const std::string& path);

/// Writes a uint8 tensor of 1 to 4 non-empty dimensions atomically; gzip-compressed when path ends
/// in ".gz", raw otherwise. Used for test fixtures and tiny datasets.
void write_idx(const std::string& path, const torch::Tensor& data);

}  // namespace esvgd::data
