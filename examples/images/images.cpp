// Images: a C4-invariant energy on Fashion-MNIST, and E-SVGD in pixel space.
//
// The energy is a small steerable CNN (C4 regular-representation convolutions, then group pooling)
// whose outputs are class logits, as in a joint energy model: E(x) = −logsumexp_y o_y(x). Rotating
// an image by 90° leaves it unchanged, and so its features (the Fréchet distance between images and
// their rotations is 0). SVGD with the C4-averaged kernel on its score is then equivariant: started
// from rotated images, it ends at the rotated particles. The images are Fashion-MNIST test images
// (Debian's dataset-fashion-mnist; random images stand in when it is not installed).
#include <iostream>

#include <torch/torch.h>

#include "esvgd/core/error.h"
#include "esvgd/data/fashion_mnist.h"
#include "esvgd/data/idx.h"
#include "esvgd/group/image_rotation_group.h"
#include "esvgd/kernel/group_averaged.h"
#include "esvgd/metric/frechet.h"
#include "esvgd/model/c4_conv.h"
#include "esvgd/model/image_energy.h"
#include "esvgd/sampler/svgd.h"

using namespace esvgd;

namespace {

double max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

int main() try {
  torch::manual_seed(0);  // the network's initial weights
  auto gen = at::detail::createCPUGenerator(2);

  // 256 test images [N, 1, 28, 28] in [0, 1] and their labels.
  data::ImageSet test;
  try {
    test = data::load_fashion_mnist(data::kFashionMnistDir, "test", 256);
    const auto labels = data::read_idx(std::string(data::kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz");
    std::cout << "Fashion-MNIST: " << labels.size(0) << " test labels in the file; the first image is class '"
              << data::fashion_mnist_classes()[test.labels[0].item<int64_t>()] << "'\n";
  } catch (const esvgd::Error& e) {
    std::cout << "Fashion-MNIST not found (" << e.what() << "): random images instead\n";
    test = {torch::rand({256, 1, 28, 28}, gen), torch::zeros({256}, torch::kLong)};
  }

  model::ImageEnergy energy(model::ImageEnergyOptions()
                                .fields({4, 4, 8})  // three C4 convolution layers (4 channels per field)
                                .pool_after({2})
                                .head_hidden(16));
  torch::NoGradGuard no_grad;

  // Invariance: every image rotated by a random multiple of 90°. The feature maps inside rotate
  // along (regular representation); group pooling makes the output invariant.
  const auto rotated = data::random_c4_rotation(test.images, gen).first;
  const auto E = energy->energy(test.images);
  const double energy_change = max_diff(energy->energy(rotated), E) / E.abs().max().item<double>();
  const auto last_map = energy->feature_maps(test.images.slice(0, 0, 1)).back();
  std::cout << "rotating the images by 90° changes E by " << energy_change << " (relative); last feature map "
            << last_map.sizes() << ", group-pooled " << model::group_max_pool(last_map).sizes() << "\n";
  auto features = [&](const torch::Tensor& images) { return energy->penultimate(images).to(torch::kFloat64); };
  const double fd_rotated = metric::frechet_distance(features(test.images), features(rotated));
  const double fd_halves = metric::frechet_distance(features(test.images.slice(0, 0, 128)),
                                                    features(test.images.slice(0, 128, 256)));
  std::cout << "Fréchet distance of the features: images vs their rotations " << fd_rotated
            << ", first vs second half of the images " << fd_halves << "\n";

  // E-SVGD on 16 flattened images [16, 784]; the kernel averages over the four rotations of each.
  const group::ImageRotationGroup c4(28);
  auto kernel = std::make_shared<kernel::GroupAveragedKernel>(c4.elements(), 1.0, kernel::RepulsionForm::kTextbook,
                                                              c4.name());
  sampler::SvgdOptions svgd;
  svgd.max_steps(20).median(true);
  svgd.optimizer().step_size(10.0);  // the non-const getter returns the nested options to write
  sampler::Svgd e_svgd(energy->frozen_score(), kernel, svgd);
  const auto X0 = test.images.slice(0, 0, 16).flatten(1).to(torch::kFloat64);
  const auto X = e_svgd.run(X0).particles;
  const auto X_from_rotated = e_svgd.run(c4.rotate(X0, 1)).particles;
  const double moved = (X - X0).abs().mean().item<double>();
  const double equivariance = max_diff(X_from_rotated, c4.rotate(X, 1)) / moved;
  std::cout << "E-SVGD, " << svgd.max_steps() << " steps: pixels moved by " << moved << " on average; from the rotated "
            << "images it ends at the rotated particles up to " << equivariance << " of that\n";

  // The group's rotation of flattened rows is data::rotate_images' of [N, 1, S, S] images.
  const auto rotated_images = data::rotate_images(test.images.slice(0, 0, 16), 1).flatten(1);
  const bool ok = energy_change < 1e-4 && fd_rotated < 1e-3 * fd_halves && equivariance < 1e-3 &&
                  torch::allclose(c4.rotate(X0, 1), rotated_images.to(torch::kFloat64));
  std::cout << (ok ? "images: OK" : "images: FAILED") << "\n";
  return ok ? 0 : 1;
} catch (const esvgd::Error& e) {
  std::cerr << "images: " << e.what() << "\n";
  return 2;
}
