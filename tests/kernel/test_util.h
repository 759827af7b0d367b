#pragma once
// Shared helpers for the kernel tests: error measures, seeded generators, the test targets and a
// factory for every kernel that the equivariance/Stein tests sweep over.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "test_support.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/group/group.h"
#include "esvgd/group/orthogonal.h"
#include "esvgd/kernel/group_averaged.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/kernel.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/kernel/so2_orbit.h"
#include "esvgd/kernel/so3_orbit.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"

namespace esvgd::test {

/// The paper's C4 mixture (radius 3, variances 1 and 0.2): invariant under C4.
inline const target::GaussianMixture& c4_target() {
  static const target::GaussianMixture t = target::cn_gaussian_mixture(4, 3, 1, 0.2);
  return t;
}

/// Two concentric rings (2-D): invariant under O(2).
inline const target::RadialMixture& rings_target() {
  static const target::RadialMixture t(2, {1.5, 3.0}, 0.4);
  return t;
}

/// Two concentric spheres (3-D): invariant under O(3).
inline const target::RadialMixture& spheres_target() {
  static const target::RadialMixture t(3, {1.0, 2.5}, 0.4);
  return t;
}

/// The 24 proper rotations of the cube (signed permutation matrices with det +1), identity first.
inline torch::Tensor cube_rotations() {
  std::vector<torch::Tensor> Rs;
  const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  for (const auto& p : perms) {
    for (int signs = 0; signs < 8; ++signs) {
      auto R = torch::zeros({3, 3}, torch::kFloat64);
      for (int r = 0; r < 3; ++r) R[r][p[r]] = ((signs >> r) & 1) ? -1.0 : 1.0;
      if (torch::det(R).item<double>() > 0) Rs.push_back(R);
    }
  }
  return torch::stack(Rs);
}

/// A kernel under test with the target whose scores it is paired with, and which rotations it is
/// equivariant under: "group" (its own matrices only) or "so2" (any planar rotation), "o3" (any 3-D).
struct KernelCase {
  std::string label;
  std::shared_ptr<kernel::Kernel> kernel;
  const target::Target* target;
  torch::Tensor group;  // [G, D, D] elements to draw joint rotations from (empty: any rotation)
  int64_t dim;
};

inline torch::Tensor cn_elements(int64_t n) { return group::CyclicGroup(n).elements(); }

/// Every kernel of the library, each with an invariant target (bandwidth h).
inline std::vector<KernelCase> all_kernel_cases(double h) {
  using kernel::RepulsionForm;
  auto radius = std::make_shared<kernel::RadiusMap>();
  std::vector<KernelCase> cases;
  cases.push_back({"rbf-2d", std::make_shared<kernel::RbfKernel>(h), &rings_target(), torch::Tensor(), 2});
  cases.push_back({"rbf-3d", std::make_shared<kernel::RbfKernel>(h), &spheres_target(), torch::Tensor(), 3});
  cases.push_back({"orbit-matrix-C4", std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(4), h, "C4"),
                   &c4_target(), cn_elements(4), 2});
  // The C4 mixture is also C2-invariant but not C6-invariant: pair the C6 kernel with the rings.
  cases.push_back({"orbit-matrix-C6", std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(6), h, "C6"),
                   &rings_target(), cn_elements(6), 2});
  cases.push_back({"group-averaged-C4-textbook",
                   std::make_shared<kernel::GroupAveragedKernel>(cn_elements(4), h, RepulsionForm::kTextbook, "C4"),
                   &c4_target(), cn_elements(4), 2});
  cases.push_back({"group-averaged-C4-reference",
                   std::make_shared<kernel::GroupAveragedKernel>(cn_elements(4), h, RepulsionForm::kReference, "C4"),
                   &c4_target(), cn_elements(4), 2});
  cases.push_back({"so2-orbit", std::make_shared<kernel::So2OrbitKernel>(h), &rings_target(), torch::Tensor(), 2});
  cases.push_back({"radius-textbook",
                   std::make_shared<kernel::InvariantFeatureKernel>(radius, h, RepulsionForm::kTextbook),
                   &rings_target(), torch::Tensor(), 2});
  cases.push_back({"radius-reference",
                   std::make_shared<kernel::InvariantFeatureKernel>(radius, h, RepulsionForm::kReference),
                   &rings_target(), torch::Tensor(), 2});
  cases.push_back({"radius-textbook-3d",
                   std::make_shared<kernel::InvariantFeatureKernel>(radius, h, RepulsionForm::kTextbook),
                   &spheres_target(), torch::Tensor(), 3});
  cases.push_back({"so3-orbit", std::make_shared<kernel::So3OrbitKernel>(h), &spheres_target(), torch::Tensor(), 3});
  cases.push_back({"orbit-matrix-cube-3d", std::make_shared<kernel::OrbitMatrixKernel>(cube_rotations(), h, "O"),
                   &spheres_target(), cube_rotations(), 3});
  return cases;
}

/// A random joint transformation for a case: a random non-identity element of its group, else a
/// Haar element of O(D) (rotations and reflections: every kernel without a group list is
/// O(D)-equivariant, and its target O(D)-invariant).
inline torch::Tensor random_rotation(const KernelCase& c, at::Generator& gen) {
  if (c.group.defined()) {
    const int64_t g = 1 + torch::randint(c.group.size(0) - 1, {1}, gen, torch::kLong).item<int64_t>();
    return c.group[g];  // never the identity, so that the test can fail
  }
  return group::OrthogonalGroup(c.dim, false).random_element(gen);
}

/// Particles for a case: exact target samples, so that scores are of the typical size.
inline torch::Tensor case_points(const KernelCase& c, int64_t n, at::Generator& gen) {
  return c.target->sample(n, gen);
}

}  // namespace esvgd::test
