#pragma once
/// Fashion-MNIST (Xiao et al. 2017) from its four original IDX files, and the C4 rotations of
/// images used to test rotation equivariance on it.
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace esvgd::data {

/// Debian's dataset-fashion-mnist package installs the four original files here.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct ImageSet {
  torch::Tensor images;  ///< [N, 1, H, W] float32 in [0, 1] (pixel / 255); H = W = 28 for Fashion-MNIST
  torch::Tensor labels;  ///< [N] int64 in [0, 10)
};

/// split "train" (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]) or "test"
/// (t10k-...). Looks for the .gz name first, then the uncompressed one. limit > 0 keeps the first
/// `limit` images (all when there are fewer). Errors name the file: missing (kIo, with the package
/// that provides it), images not [N, H, H], labels not [N], counts that differ, a label >= 10
/// (kFormat), and every error of read_idx; an unknown split or limit < 0 is kInvalidArgument.
ImageSet load_fashion_mnist(const std::string& dir, const std::string& split, int64_t limit = 0);

/// The 10 class names ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
/// "Sneaker", "Bag", "Ankle boot").
const std::vector<std::string>& fashion_mnist_classes();

/// Rotates every image [N, C, H, W] (H == W) by k·90° counter-clockwise: torch::rot90(images, k,
/// {2, 3}). k may be any integer (taken mod 4).
torch::Tensor rotate_images(const torch::Tensor& images, int64_t k);

/// Rotates image i by ks[i]·90° (ks: [N] int64 in [0, 4)). Returns the rotated images.
torch::Tensor rotate_images(const torch::Tensor& images, const torch::Tensor& ks);

/// Seeded random multiples of 90° per image: returns {rotated images, ks [N] int64 in [0, 4)}
/// (ks on the images' device, drawn on the generator's).
std::pair<torch::Tensor, torch::Tensor> random_c4_rotation(const torch::Tensor& images, at::Generator& gen);

}  // namespace esvgd::data
