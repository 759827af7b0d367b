// The sampler registry: every registered variant, on every kind of data it is defined for, builds
// from the config and gives an equivariant Stein direction, φ(X Rᵀ) = φ(X) Rᵀ for a random group
// element R, with the isotropic Gaussian score s(x) = −x (invariant under every orthogonal group).
// A kernel family written here, in the tests, registers with one call and is exercised by the
// same property test: that is all that adding a kernel family takes (docs/method.md, "The library's shape").
#include <cmath>

#include "core/config.h"
#include "esvgd/core/error.h"
#include "experiment/sampler_registry.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/group/image_rotation_group.h"
#include "esvgd/group/molecule_group.h"
#include "esvgd/group/orthogonal.h"
#include "esvgd/group/particle_group.h"
#include "esvgd/kernel/rbf.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

/// A test-only kernel family: the inverse multiquadric k(x, y) = (1 + ‖x − y‖²/h²)^(−1/2), whose
/// source gradient is ∇_y k(y, x) = k³ (x − y)/h². Any O(D)-equivariant scalar kernel would do.
class InverseMultiquadricKernel : public kernel::Kernel {
 public:
  explicit InverseMultiquadricKernel(double h) : Kernel(h) {}
  std::string name() const override { return "imq"; }
  torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                    double temperature) const override {
    const auto k = gram(X, Y);  // [N, M]
    const auto repulsion = X * k.pow(3).sum(1, true) - torch::matmul(k.pow(3), Y);
    return (torch::matmul(k, S) + (temperature / (h_ * h_)) * repulsion) / static_cast<double>(Y.size(0));
  }
  torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const override {
    return (1 + torch::cdist(A, B).pow(2) / (h_ * h_)).rsqrt();
  }
  torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const override {
    return (A - B).pow(2).sum(1);
  }

 protected:
  std::shared_ptr<Kernel> clone() const override { return std::make_shared<InverseMultiquadricKernel>(*this); }
};

// The one registration line (a static initialiser, so that it runs before every test).
const bool kImqRegistered = [] {
  experiment::register_sampler({"imq", "inverse multiquadric kernel (test-only)", {experiment::GroupFamily::kPoint},
                                [](const experiment::VariantInputs& in) {
                                  return experiment::SamplerVariant{
                                      "imq", std::make_shared<InverseMultiquadricKernel>(in.bandwidth), in.temperature,
                                      0.0, false};
                                }});
  return true;
}();

core::Config svgd_config() {
  core::Config c;
  experiment::declare_svgd_keys(c, 10, 0.1, 1.5);
  return c;
}

/// One group of each family (and the three point groups with different kernels).
std::vector<std::shared_ptr<group::Group>> test_groups() {
  return {std::make_shared<group::CyclicGroup>(4),
          std::make_shared<group::OrthogonalGroup>(2, true),
          std::make_shared<group::OrthogonalGroup>(3, false),
          std::make_shared<group::ParticleGroup>(4),
          std::make_shared<group::MoleculeGroup>(std::vector<int64_t>{6, 6, 8, 1, 1, 1}),
          std::make_shared<group::ImageRotationGroup>(4)};
}

bool defined_for(const experiment::SamplerEntry& e, experiment::GroupFamily f) {
  return std::find(e.families.begin(), e.families.end(), f) != e.families.end();
}

/// A random element of the group, except where a variant is exact for a subgroup only: the
/// authors' 3-D canonical form (orbit-scalar on molecules) leaves the rotation about its x axis free,
/// so it is invariant under translations and permutations of equal species, not rotations
/// (group/particle_invariant.h); there, a species-preserving permutation.
torch::Tensor exact_symmetry(const experiment::SamplerEntry& e, const group::Group& g, at::Generator& gen) {
  const bool canonical_3d = experiment::family_of(g) == experiment::GroupFamily::kMolecules &&
                            e.name.rfind("orbit-scalar", 0) == 0;
  if (!canonical_3d) return g.random_element(gen);
  return group::particle_matrix(torch::eye(3, torch::kFloat64), {1, 0, 2, 4, 5, 3});  // C↔C, H→H→H
}

TEST(SamplerRegistry, EveryVariantIsEquivariantWhereItIsDefined) {
  ASSERT_TRUE(kImqRegistered);
  const auto config = svgd_config();
  auto gen = make_gen(71);
  int checked = 0;
  for (const auto& entry : experiment::samplers()) {
    for (const auto& group : test_groups()) {
      const auto family = experiment::family_of(*group);
      if (!defined_for(entry, family)) continue;
      const auto v = experiment::make_variant(entry.name, *group, config, gen);
      EXPECT_EQ(v.name, entry.name);
      const int64_t D = group->dim();
      const auto X = torch::randn({12, D}, gen, torch::kFloat64);
      const auto R = exact_symmetry(entry, *group, gen);
      const auto phi = [&](const torch::Tensor& Z) { return v.kernel->phi(Z, Z, -Z, v.temperature); };
      const auto lhs = phi(group::act(R, X)), rhs = group::act(R, phi(X));
      EXPECT_LT((lhs - rhs).abs().max().item<double>(), 1e-10 * (1 + rhs.abs().max().item<double>()))
          << entry.name << " on " << group->name();
      EXPECT_TRUE(torch::isfinite(lhs).all().item<bool>()) << entry.name << " on " << group->name();
      ++checked;
    }
  }
  EXPECT_GE(checked, 20);  // 7 built-in variants on 6 groups where defined, and imq on 3
}

TEST(SamplerRegistry, ErrorsListTheNamesDefinedForTheData) {
  const auto config = svgd_config();
  auto gen = make_gen(72);
  group::ParticleGroup particles(4);
  expect_error([&] { experiment::make_variant("imq", particles, config, gen); }, ErrorKind::kConfig,
               {"unknown sampler 'imq' for particle systems", "pair-distances", "orbit-matrix"});
  group::ImageRotationGroup images(4);
  expect_error([&] { experiment::make_variant("orbit-matrix", images, config, gen); }, ErrorKind::kConfig,
               {"orbit-matrix is not available for images", "orbit-scalar"});
  group::CyclicGroup c4(4);
  expect_error([&] { experiment::make_variant("pair-distances", c4, config, gen); }, ErrorKind::kConfig,
               {"unknown sampler 'pair-distances'", "imq"});
  expect_error([] { experiment::register_sampler({"rbf", "again", {}, nullptr}); }, ErrorKind::kInvalidArgument,
               {"registered already"});
}

}  // namespace
}  // namespace esvgd::test
