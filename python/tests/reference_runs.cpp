// The C++ side of test_bindings.py: the runs that the test also makes through the Python package,
// written as .npy, so that the test can check that the binding changes no bit.
//   reference_runs START.npy OUT_DIR   ->  OUT_DIR/{svgd_adam,svgd_noisy,langevin}.npy
#include <iostream>
#include <string>

#include <torch/torch.h>

#include "esvgd/core/npy.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/target/gaussian_mixture.h"

using namespace esvgd;

namespace {

void write_runs(const torch::Tensor& x0, const std::string& out) {
  const auto target = target::cn_gaussian_mixture(4, 3.0, 1.0, 0.2);
  const auto score = target::score_fn(target);
  auto gen = at::detail::createCPUGenerator(0);
  const kernel::OrbitMatrixKernel kernel(group::CyclicGroup(4), 0.5, 64, gen);

  // E-SVGD with the median bandwidth and Adam; then the noisy step (its own random stream).
  const auto adam = sampler::SvgdOptions().max_steps(25).median(true).optimizer(
      sampler::OptimizerOptions().kind(sampler::OptimizerKind::kAdam).step_size(0.05));
  auto a = sampler::init(x0, kernel, adam);
  sampler::run(a, score, kernel, adam);
  core::write_npy(out + "/svgd_adam.npy", a.particles);
  const auto noisy = sampler::SvgdOptions().max_steps(25).median(true).langevin(true).langevin_noise(0.3).optimizer(
      sampler::OptimizerOptions().step_size(0.05));
  auto n = sampler::init(x0, kernel, noisy);
  sampler::run(n, score, kernel, noisy);
  core::write_npy(out + "/svgd_noisy.npy", n.particles);

  const auto langevin = sampler::LangevinOptions().max_steps(25).step_size(0.01);
  auto l = sampler::init(x0, langevin, at::detail::createCPUGenerator(3));
  sampler::run(l, score, langevin);
  core::write_npy(out + "/langevin.npy", l.particles);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: reference_runs START.npy OUT_DIR\n";
    return 2;
  }
  try {
    write_runs(core::read_npy(argv[1]), argv[2]);
  } catch (const std::exception& e) {
    std::cerr << "reference_runs: " << e.what() << "\n";
    return 1;
  }
}
