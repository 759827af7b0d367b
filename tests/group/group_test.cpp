// Groups: C_n elements and fold, O(n)/SO(n) Haar sampling, quadrature rules, make_group.
#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/group/group.h"
#include "esvgd/group/orthogonal.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using group::CyclicGroup;
using group::OrthogonalGroup;

/// max over the batch of ‖R Rᵀ − I‖_max.
double orthogonality_error(const torch::Tensor& R) {
  auto eye = torch::eye(R.size(-1), torch::kFloat64);
  return max_abs(torch::matmul(R, R.transpose(-1, -2)) - eye);
}

/// Index of the element of `set` [G, D, D] equal to R within tol, or -1.
int64_t find(const torch::Tensor& set, const torch::Tensor& R, double tol = 1e-12) {
  auto d = (set - R).abs().amax({1, 2});
  auto [v, i] = d.min(0);
  return v.item<double>() < tol ? i.item<int64_t>() : -1;
}

TEST(Cyclic, ElementsAreOrthogonalAndClosed) {
  for (int64_t n : {1, 2, 3, 4, 6, 7, 12}) {
    CyclicGroup g(n);
    auto E = g.elements();
    ASSERT_EQ(E.sizes(), (std::vector<int64_t>{n, 2, 2}));
    EXPECT_EQ(g.name(), "C" + std::to_string(n));
    EXPECT_EQ(g.order(), n);
    // Rotations built from cos/sin: orthogonal to rounding (1e-15); det +1.
    EXPECT_LT(orthogonality_error(E), 1e-14);
    EXPECT_LT(max_abs(torch::det(E) - 1), 1e-14);
    EXPECT_TRUE(torch::equal(E[0], torch::eye(2, torch::kFloat64))) << "identity first";
    // Closure: R_a R_b = R_{(a+b) mod n}; inverses: R_a R_{n−a} = I.
    for (int64_t a = 0; a < n; ++a)
      for (int64_t b = 0; b < n; ++b)
        EXPECT_EQ(find(E, torch::matmul(E[a], E[b])), (a + b) % n) << "n=" << n << " a=" << a << " b=" << b;
    // Distinct elements.
    for (int64_t a = 1; a < n; ++a) EXPECT_GT(max_abs(E[a] - E[0]), 1e-3);
  }
  EXPECT_THROW(CyclicGroup(0), esvgd::Error);
}

TEST(Cyclic, RandomElementIsUniformOverTheGroup) {
  CyclicGroup g(4);
  auto gen = make_gen(201);
  auto E = g.elements();
  std::vector<int64_t> counts(4, 0);
  const int64_t n = 8000;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = find(E, g.random_element(gen));
    ASSERT_GE(i, 0);
    ++counts[i];
  }
  // Each count ~ Binomial(8000, 1/4): sd 38.7; 5 sd.
  for (int64_t c : counts) EXPECT_NEAR(static_cast<double>(c), n / 4.0, 5 * std::sqrt(n * 0.25 * 0.75));
}

TEST(Cyclic, FoldLandsInFundamentalDomainAndIsInvariant) {
  auto gen = make_gen(202);
  auto X = torch::randn({2000, 2}, gen, torch::kFloat64) * 3;
  for (int64_t n : {1, 2, 3, 4, 6, 9}) {
    CyclicGroup g(n);
    auto F = g.fold(X);
    ASSERT_EQ(F.sizes(), X.sizes());
    auto angle = torch::atan2(F.select(1, 1), F.select(1, 0));
    const double half = M_PI / n;
    // [-π/n, π/n): a few ulp of slack for atan2 of the recomposed point.
    EXPECT_GE(angle.min().item<double>(), -half - 1e-12) << n;
    EXPECT_LT(angle.max().item<double>(), half) << n;
    EXPECT_LT(max_abs(F.norm(2, 1) - X.norm(2, 1)), 1e-12) << n;
    // The fold lies in the orbit: some R_g maps x to fold(x).
    auto E = g.elements();
    auto imgs = torch::matmul(X.unsqueeze(0), E.transpose(1, 2));  // [G, N, 2]
    auto dist = (imgs - F.unsqueeze(0)).norm(2, 2).amin(0);
    EXPECT_LT(dist.max().item<double>(), 1e-12) << n;
    // Invariance: fold(R_g X) = fold(X) for every g (to rounding; random points are never within
    // 1e-12 of a sector boundary, where the two sides could legitimately differ).
    for (int64_t k = 0; k < n; ++k)
      EXPECT_LT(max_abs(g.fold(group::act(E[k], X)) - F), 1e-12) << "n=" << n << " g=" << k;
  }
}

TEST(Cyclic, FoldBoundaryIsHalfOpen) {
  // Points exactly on the boundary angles ±π/4 fold to −π/4 (the domain is [−π/4, π/4)).
  CyclicGroup g(4);
  auto X = torch::tensor({1.0, 1.0, 1.0, -1.0, -1.0, 1.0, -1.0, -1.0}, torch::kFloat64).view({4, 2});
  auto F = g.fold(X);
  auto angle = torch::atan2(F.select(1, 1), F.select(1, 0));
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_GE(angle[i].item<double>(), -M_PI / 4 - 1e-15) << i;
    EXPECT_LT(angle[i].item<double>(), M_PI / 4) << i << ": " << F[i];
  }
  // The origin folds to itself.
  EXPECT_EQ(max_abs(g.fold(torch::zeros({1, 2}, torch::kFloat64))), 0.0);
  EXPECT_THROW(g.fold(torch::zeros({3, 3}, torch::kFloat64)), esvgd::Error);
}

TEST(Cyclic, FoldJustBelowTheLowerBoundaryStaysInDomain) {
  // A point one ulp (of the angle) below −π/4: angle + π/4 is a tiny negative number, and
  // remainder(−1e-16, π/2) rounds to exactly π/2, so the fold returns +π/4, outside [−π/4, π/4).
  CyclicGroup g(4);
  const double a = std::nextafter(-M_PI / 4, -4.0);
  auto Y = torch::tensor({std::cos(a), std::sin(a)}, torch::kFloat64).view({1, 2});
  auto fy = g.fold(Y);
  const double ay = std::atan2(fy[0][1].item<double>(), fy[0][0].item<double>());
  EXPECT_LT(ay, M_PI / 4) << "fold of angle " << a << " gave angle " << ay;
}

TEST(Orthogonal, RandomElementsHaveTheRightDeterminant) {
  auto gen = make_gen(203);
  for (int64_t dim : {2, 3}) {
    for (bool special : {true, false}) {
      OrthogonalGroup g(dim, special);
      EXPECT_EQ(g.name(), (special ? "SO" : "O") + std::to_string(dim));
      EXPECT_FALSE(g.is_finite());
      int64_t negative = 0;
      const int64_t n = 2000;
      for (int64_t k = 0; k < n; ++k) {
        auto R = g.random_element(gen);
        ASSERT_EQ(R.sizes(), (std::vector<int64_t>{dim, dim}));
        EXPECT_LT(orthogonality_error(R), 1e-14);
        const double det = torch::det(R).item<double>();
        EXPECT_NEAR(std::abs(det), 1.0, 1e-13);
        if (det < 0) ++negative;
      }
      if (special) {
        EXPECT_EQ(negative, 0) << g.name();
      } else {
        // Haar on O(n): each component has mass 1/2; Binomial(2000, 1/2) has sd 22.4.
        EXPECT_NEAR(static_cast<double>(negative), n / 2.0, 5 * std::sqrt(n / 4.0)) << g.name();
      }
    }
  }
}

TEST(Orthogonal, HaarMoments) {
  // Haar measure: E[R] = 0; E[(tr R)²] = number of irreducible components of the defining real
  // representation counted over C: 1 for SO(3), O(3) and O(2), 2 for SO(2) (e^{iθ} ⊕ e^{−iθ}).
  // Without the sign fix of Mezzadri's QR recipe, the law of Q is not Haar and these fail
  // (e.g. E[tr Q] ≠ 0). Tolerance: 5 standard errors of the sample means.
  auto gen = make_gen(204);
  const int64_t n = 20000;
  struct C {
    int64_t dim;
    bool special;
    double tr2;
  };
  for (const C& c : {C{2, true, 2.0}, C{2, false, 1.0}, C{3, true, 1.0}, C{3, false, 1.0}}) {
    OrthogonalGroup g(c.dim, c.special);
    std::vector<torch::Tensor> Rs;
    for (int64_t k = 0; k < n; ++k) Rs.push_back(g.random_element(gen));
    auto R = torch::stack(Rs);  // [n, d, d]
    auto mean = R.mean(0), se = R.std(0) / std::sqrt(double(n));
    EXPECT_TRUE((mean.abs() < 5 * se).all().item<bool>()) << g.name() << " mean " << mean;
    auto tr = R.diagonal(0, 1, 2).sum(1);
    auto tr2 = tr * tr;
    const double se_tr2 = tr2.std().item<double>() / std::sqrt(double(n));
    EXPECT_NEAR(tr2.mean().item<double>(), c.tr2, 5 * se_tr2) << g.name();
    // Entries: E[R_ab²] = 1/d.
    auto sq = R * R;
    EXPECT_TRUE(((sq.mean(0) - 1.0 / c.dim).abs() < 5 * sq.std(0) / std::sqrt(double(n))).all().item<bool>())
        << g.name();
  }
}

TEST(Orthogonal, FoldToRadius) {
  auto gen = make_gen(205);
  for (int64_t dim : {2, 3}) {
    OrthogonalGroup g(dim, true);
    auto X = torch::randn({50, dim}, gen, torch::kFloat64);
    auto F = g.fold(X);
    EXPECT_LT(max_abs(F.select(1, 0) - X.norm(2, 1)), 1e-15);
    EXPECT_EQ(max_abs(F.narrow(1, 1, dim - 1)), 0.0);
    EXPECT_LT(max_abs(g.fold(group::act(g.random_element(gen), X)) - F), 1e-13);
    EXPECT_THROW(g.fold(torch::zeros({2, dim + 1}, torch::kFloat64)), esvgd::Error);
  }
  EXPECT_THROW(OrthogonalGroup(4, true), esvgd::Error);
  EXPECT_THROW(OrthogonalGroup(1, false), esvgd::Error);
  EXPECT_THROW(OrthogonalGroup(3, true).elements(), esvgd::Error);
}

TEST(Quadrature, So3RuleIsClosedUnderInverses) {
  auto gen = make_gen(206);
  for (bool special : {true, false}) {
    OrthogonalGroup g(3, special);
    for (int64_t count : {1, 2, 10, 51, 200}) {
      auto Q = g.quadrature(count, gen);
      const int64_t q = Q.size(0);
      // "About count nodes": the identity plus pairs (R, Rᵀ), so count or count + 1.
      EXPECT_GE(q, count);
      EXPECT_LE(q, count + 1);
      EXPECT_EQ(q % 2, 1) << "identity + pairs";
      EXPECT_LT(orthogonality_error(Q), 1e-13);
      if (special) EXPECT_LT(max_abs(torch::det(Q) - 1), 1e-12);
      EXPECT_TRUE(torch::equal(Q[0], torch::eye(3, torch::kFloat64)));
      for (int64_t i = 0; i < q; ++i) EXPECT_GE(find(Q, Q[i].t()), 0) << "inverse of node " << i << " missing";
    }
  }
  EXPECT_THROW(OrthogonalGroup(3, true).quadrature(0, gen), esvgd::Error);
}

TEST(Quadrature, PlanarRules) {
  auto gen = make_gen(207);
  OrthogonalGroup so2(2, true), o2(2, false);
  auto Q = so2.quadrature(16, gen);
  EXPECT_TRUE(torch::allclose(Q, CyclicGroup(16).elements(), 0, 0));
  auto P = o2.quadrature(16, gen);
  ASSERT_EQ(P.size(0), 32);
  EXPECT_LT(orthogonality_error(P), 1e-14);
  auto det = torch::det(P);
  EXPECT_EQ((det > 0).sum().item<int64_t>(), 16);
  // Closed under inverses (reflections are their own inverse) and a group: closed under products.
  for (int64_t i = 0; i < 32; ++i) {
    EXPECT_GE(find(P, P[i].t()), 0);
    for (int64_t j = 0; j < 32; j += 5) EXPECT_GE(find(P, torch::matmul(P[i], P[j])), 0);
  }
  // Finite groups: the quadrature is the element list, whatever the count.
  CyclicGroup c4(4);
  EXPECT_TRUE(torch::equal(c4.quadrature(100, gen), c4.elements()));
}

TEST(Group, ActAndRotation) {
  auto R = group::rotation_2d(M_PI / 2);
  auto X = torch::tensor({1.0, 0.0, 0.0, 2.0}, torch::kFloat64).view({2, 2});
  auto Y = group::act(R, X);  // rows R x: (0, 1), (−2, 0)
  auto expect = torch::tensor({0.0, 1.0, -2.0, 0.0}, torch::kFloat64).view({2, 2});
  EXPECT_LT(max_abs(Y - expect), 1e-15);
  EXPECT_EQ(group::act(R, X.to(torch::kFloat32)).scalar_type(), torch::kFloat32);
}

TEST(Group, MakeGroup) {
  EXPECT_EQ(group::make_group("C4")->name(), "C4");
  EXPECT_EQ(group::make_group("C12")->name(), "C12");
  EXPECT_EQ(group::make_group("C1")->name(), "C1");
  EXPECT_EQ(group::make_group("SO2")->name(), "SO2");
  EXPECT_EQ(group::make_group("O2")->name(), "O2");
  EXPECT_EQ(group::make_group("SO3")->dim(), 3);
  EXPECT_EQ(group::make_group("O3")->name(), "O3");
  for (const std::string bad : {"C0", "C-2", "Cx", "C4x", "C", "SO4", "c4", "", "D4", "O(3)"}) {
    try {
      group::make_group(bad);
      ADD_FAILURE() << "make_group('" << bad << "') did not throw";
    } catch (const esvgd::Error& e) {
      EXPECT_NE(std::string(e.what()).find("'" + bad + "'"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace esvgd::test
