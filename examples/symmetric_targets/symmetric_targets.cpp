// The symmetric targets of the paper, sampled with the kernels that know their symmetry, and the
// metrics that say how close the particles are to the target.
//
//   C4 Gaussian mixture (2-D)   plain RBF vs the exact C4 orbit-matrix kernel
//   concentric circles (2-D)    the SO(2) orbit kernel in closed form, the radius-feature kernel
//   concentric spheres (3-D)    the SO(3) orbit kernel in closed form
//
// Each kernel gets a fixed bandwidth from the median heuristic on its own geometry (distances between
// orbits or between features). MMD² and KSD² compare the particles with exact samples of the target;
// the particles of an equivariant sampler stand for their whole orbits, so they are unfolded over
// them first. The mixture also reports how evenly its four modes are covered, the rings and spheres
// the KL divergence of the radius histogram.
#include <functional>
#include <iomanip>
#include <iostream>

#include <torch/torch.h>

#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/group/orthogonal.h"
#include "esvgd/kernel/coupling.h"
#include "esvgd/kernel/group_averaged.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/median.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/kernel/so2_orbit.h"
#include "esvgd/kernel/so3_orbit.h"
#include "esvgd/metric/discrepancy.h"
#include "esvgd/metric/orbit_metrics.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"

using namespace esvgd;

namespace {

constexpr int64_t kParticles = 64;
constexpr int64_t kSteps = 1000;
constexpr double kStepSize = 0.05;
constexpr int64_t kBins = 20;  // of the radius histograms

/// A kernel family at bandwidth h.
using KernelAt = std::function<std::shared_ptr<kernel::Kernel>(double h)>;

struct Run {
  torch::Tensor particles;
  double mmd2 = 0, ksd2 = 0;
};

/// MMD² against exact samples Y and KSD², both at the median bandwidth of Y. The particles of an
/// equivariant sampler stand for their whole orbits under `group`: they are unfolded first.
Run measure(const target::Target& target, const torch::Tensor& X, const torch::Tensor& Y,
            const group::Group* group = nullptr) {
  auto gen = at::detail::createCPUGenerator(1);
  const auto U = group ? metric::unfold(*group, X, 8, gen) : X;
  const double h = metric::reference_bandwidth(Y);
  return {X, metric::mmd2(U, Y, h), metric::ksd2(U, target.score(U), h)};
}

/// SVGD from X0 with the bandwidth of the median heuristic at X0, measured against exact samples Y.
Run sample(const target::Target& target, const KernelAt& kernel_at, const group::Group* group, const torch::Tensor& X0,
           const torch::Tensor& Y) {
  auto gen = at::detail::createCPUGenerator(0);
  const double h = kernel::median_bandwidth(*kernel_at(1.0), X0, 100000, gen);
  auto kernel = kernel_at(h);
  const auto options =
      sampler::SvgdOptions().optimizer(sampler::OptimizerOptions().step_size(kStepSize)).max_steps(kSteps);
  core::Progress progress(kernel->name(), kSteps, &std::cout);  // silent unless a run takes over 2 s
  auto X = sampler::Svgd(target::score_fn(target), kernel, options).run(X0, {}, nullptr, &progress).particles;

  const auto run = measure(target, X, Y, group);
  std::cout << "  " << std::setw(22) << std::left << kernel->name() << " h " << std::setw(6) << h << " interacting "
            << std::setw(5) << kernel::mean_interacting(*kernel, X, X) << " MMD2 " << std::setw(10) << run.mmd2
            << " KSD2 " << std::setw(10) << run.ksd2;
  return run;
}

}  // namespace

int main() try {
  auto gen = at::detail::createCPUGenerator(11);
  bool ok = true;
  std::cout << std::setprecision(3);

  std::cout << "C4 Gaussian mixture: start MMD2 ";
  const auto mixture = target::cn_gaussian_mixture(4, 3.0, 1.0, 0.2);
  const auto mixture_truth = mixture.sample(1000, gen);
  const auto X0 = 2.0 * torch::randn({kParticles, 2}, gen, torch::kFloat64);
  const auto mixture_start = measure(mixture, X0, mixture_truth);
  std::cout << mixture_start.mmd2 << ", modes TV " << metric::tv_to_uniform(metric::mode_occupancy(X0, mixture.means()))
            << "\n";
  const group::CyclicGroup c4(4);
  const std::vector<std::pair<KernelAt, const group::Group*>> c4_samplers = {
      {[](double h) { return std::make_shared<kernel::RbfKernel>(h); }, nullptr},
      {[&](double h) { return std::make_shared<kernel::OrbitMatrixKernel>(c4.elements(), h, "C4"); }, &c4}};
  for (const auto& [kernel_at, group] : c4_samplers) {
    const auto run = sample(mixture, kernel_at, group, X0, mixture_truth);
    std::cout << " modes TV " << metric::tv_to_uniform(metric::mode_occupancy(run.particles, mixture.means())) << "\n";
    ok = ok && run.mmd2 < mixture_start.mmd2;
  }

  const target::RadialMixture circles(2, {4.0, 8.0}, 0.5);
  const auto C0 = -8.0 + 16.0 * torch::rand({kParticles, 2}, gen, torch::kFloat64);
  const double circles_start = metric::radial_kl(C0, circles, kBins, 12.0);
  std::cout << "concentric circles: start radius KL " << circles_start << "\n";
  const group::OrthogonalGroup so2(2, /*special=*/true);  // its orbits are circles
  const std::vector<KernelAt> so2_kernels = {
      [](double h) { return std::make_shared<kernel::So2OrbitKernel>(h); },
      [](double h) {
        return std::make_shared<kernel::InvariantFeatureKernel>(std::make_shared<kernel::RadiusMap>(), h,
                                                                kernel::RepulsionForm::kTextbook);
      }};
  for (const auto& kernel_at : so2_kernels) {
    const auto run = sample(circles, kernel_at, &so2, C0, circles.sample(1000, gen));
    const double kl = metric::radial_kl(run.particles, circles, kBins, 12.0);
    std::cout << " radius KL " << kl << "\n";
    ok = ok && kl < circles_start;
  }

  const target::RadialMixture spheres(3, {4.0, 9.0}, 0.3);
  const auto S0 = -8.0 + 16.0 * torch::rand({kParticles, 3}, gen, torch::kFloat64);
  const double spheres_start = metric::radial_kl(S0, spheres, kBins, 12.0);
  std::cout << "concentric spheres: start radius KL " << spheres_start << "\n";
  const group::OrthogonalGroup so3(3, /*special=*/true);
  const auto run = sample(spheres, [](double h) { return std::make_shared<kernel::So3OrbitKernel>(h); }, &so3, S0,
                          spheres.sample(1000, gen));
  const double kl = metric::radial_kl(run.particles, spheres, kBins, 12.0);
  std::cout << " radius KL " << kl << "\n";
  ok = ok && kl < spheres_start;

  std::cout << (ok ? "symmetric_targets: OK" : "symmetric_targets: FAILED (a sampler did not improve)") << "\n";
  return ok ? 0 : 1;
} catch (const esvgd::Error& e) {  // every error of the library: what failed, where, what was expected
  std::cerr << "symmetric_targets: " << e.what() << "\n";
  return 2;
}
