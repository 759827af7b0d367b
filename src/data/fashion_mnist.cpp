#include "esvgd/data/fashion_mnist.h"

#include <algorithm>
#include <filesystem>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/data/idx.h"

namespace esvgd::data {

namespace {

namespace fs = std::filesystem;

constexpr int64_t kClasses = 10;
constexpr const char* kPackageHint =
    "Debian's dataset-fashion-mnist package provides it (installed by scripts/install-deps.sh)";

// The .gz name as shipped, else an unpacked copy.
std::string find_file(const std::string& dir, const std::string& name) {
  const fs::path gz = fs::path(dir) / (name + ".gz"), raw = fs::path(dir) / name;
  if (fs::exists(gz)) return gz.string();
  if (fs::exists(raw)) return raw.string();
  if (!fs::is_directory(dir))
    throw Error(ErrorKind::kIo, dir, std::string("Fashion-MNIST directory not found (looked for ") + gz.filename().string() +
                                         "); " + kPackageHint);
  throw Error(ErrorKind::kIo, gz.string(), "Fashion-MNIST file not found (nor " + raw.filename().string() + "); " +
                                               kPackageHint);
}

void check_square_images(const torch::Tensor& images) {
  ESVGD_CHECK(images.dim() == 4 && images.size(2) == images.size(3),
              "expected images [N, C, H, W] with H == W, got shape ", images.sizes());
}

}  // namespace

ImageSet load_fashion_mnist(const std::string& dir, const std::string& split, int64_t limit) {
  if (split != "train" && split != "test")
    throw Error(ErrorKind::kInvalidArgument, dir, "unknown Fashion-MNIST split '" + split + "', expected \"train\" or \"test\"");
  ESVGD_CHECK(limit >= 0, "limit must be >= 0 (0 keeps all images), got ", limit);
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string image_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string label_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  auto images = read_idx(image_path);
  if (images.dim() != 3 || images.size(1) != images.size(2))
    throw Error(ErrorKind::kFormat, image_path, "expected images [N, H, W] with H == W, got shape " + c10::str(images.sizes()));
  auto labels = read_idx(label_path);
  if (labels.dim() != 1)
    throw Error(ErrorKind::kFormat, label_path, "expected labels [N], got shape " + c10::str(labels.sizes()));
  if (labels.size(0) != images.size(0))
    throw Error(ErrorKind::kFormat, label_path, "holds " + std::to_string(labels.size(0)) + " labels but " + image_path +
                                                    " holds " + std::to_string(images.size(0)) + " images");
  auto bad = (labels >= kClasses).nonzero();
  if (bad.numel() > 0) {
    const int64_t i = bad[0].item<int64_t>();
    throw Error(ErrorKind::kFormat, label_path, "label " + std::to_string(labels[i].item<int64_t>()) + " at index " +
                                                    std::to_string(i) + " is not a class in [0, 10)");
  }
  const int64_t n = limit > 0 ? std::min(limit, images.size(0)) : images.size(0);
  return {images.narrow(0, 0, n).unsqueeze(1).to(torch::kFloat32).div_(255), labels.narrow(0, 0, n).to(torch::kLong)};
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

torch::Tensor rotate_images(const torch::Tensor& images, int64_t k) {
  check_square_images(images);
  return torch::rot90(images, ((k % 4) + 4) % 4, {2, 3}).contiguous();
}

torch::Tensor rotate_images(const torch::Tensor& images, const torch::Tensor& ks) {
  check_square_images(images);
  ESVGD_CHECK(ks.dim() == 1 && ks.size(0) == images.size(0) && ks.scalar_type() == torch::kLong,
              "expected ks [", images.size(0), "] int64, got ", ks.scalar_type(), " of shape ", ks.sizes());
  ESVGD_CHECK(ks.numel() == 0 || (ks.min().item<int64_t>() >= 0 && ks.max().item<int64_t>() < 4),
              "ks must lie in [0, 4)");
  auto out = torch::empty_like(images, at::MemoryFormat::Contiguous);
  const auto k = ks.to(images.device());
  for (int64_t r = 0; r < 4; ++r) {
    auto idx = (k == r).nonzero().squeeze(1);
    if (idx.numel() > 0) out.index_copy_(0, idx, torch::rot90(images.index_select(0, idx), r, {2, 3}));
  }
  return out;
}

std::pair<torch::Tensor, torch::Tensor> random_c4_rotation(const torch::Tensor& images, at::Generator& gen) {
  check_square_images(images);
  auto ks = torch::randint(4, {images.size(0)}, gen, torch::dtype(torch::kLong).device(gen.device())).to(images.device());
  return {rotate_images(images, ks), ks};
}

}  // namespace esvgd::data
