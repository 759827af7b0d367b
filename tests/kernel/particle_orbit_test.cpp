// The O(2) × S_P particle orbit kernel against the definition (a trapezoid rule in θ times every
// permutation/reflection, formed with torch ops), its equivariance (joint and per particle), the
// divergence against finite differences of gram, the orbit distance, and its scaled Bessel functions.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <numeric>

#include <torch/special.h>

#include "esvgd/kernel/particle_orbit.h"
#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

using kernel::ParticleOrbitKernel;

/// The finite element h = F^e P_π as a [D, D] matrix: particle k of h y is F^e y_{π(k)}.
torch::Tensor element_matrix(const std::vector<int64_t>& pi, bool reflect) {
  const int64_t P = static_cast<int64_t>(pi.size());
  auto h = torch::zeros({2 * P, 2 * P}, torch::kFloat64);
  for (int64_t k = 0; k < P; ++k) {
    h[2 * k][2 * pi[k]] = 1.0;
    h[2 * k + 1][2 * pi[k] + 1] = reflect ? -1.0 : 1.0;
  }
  return h;
}

/// Every element of H: [|H|, D, D].
torch::Tensor finite_elements(int64_t P, bool reflections) {
  std::vector<int64_t> pi(P);
  std::iota(pi.begin(), pi.end(), 0);
  std::vector<torch::Tensor> hs;
  do {
    hs.push_back(element_matrix(pi, false));
    if (reflections) hs.push_back(element_matrix(pi, true));
  } while (std::next_permutation(pi.begin(), pi.end()));
  return torch::stack(hs);
}

/// R_θ on every particle: [Q, D, D] for θ_q = 2πq/Q.
torch::Tensor block_rotations(int64_t P, int64_t Q) {
  auto th = torch::arange(Q, torch::kFloat64) * (2 * M_PI / Q);
  auto c = torch::cos(th), s = torch::sin(th);
  auto R = torch::stack({torch::stack({c, -s}, -1), torch::stack({s, c}, -1)}, -2);  // [Q, 2, 2]
  auto out = torch::zeros({Q, 2 * P, 2 * P}, torch::kFloat64);
  for (int64_t k = 0; k < P; ++k) out.narrow(1, 2 * k, 2).narrow(2, 2 * k, 2).copy_(R);
  return out;
}

torch::Tensor centre(const torch::Tensor& X) {
  auto V = X.reshape({X.size(0), -1, 2});
  return (V - V.mean(1, true)).reshape(X.sizes());
}

/// The definition with the θ integral as a trapezoid rule R [Q, D, D] (the integrands are analytic
/// and periodic in θ, so the rule converges geometrically: error ~ e^{−Q²/(2u)}) and the finite
/// elements H [|H|, D, D]: φ(x_i) = (1/M) Σ_j E_g[ k(x̃_i, g ỹ_j) (g s_j + T (x̃_i − g ỹ_j)/h²) ].
torch::Tensor reference_phi(const torch::Tensor& R, const torch::Tensor& H, const torch::Tensor& X,
                            const torch::Tensor& Y, const torch::Tensor& S, double T, double h) {
  auto Xc = centre(X), Yc = centre(Y);
  auto out = torch::zeros_like(X);
  for (int64_t e = 0; e < H.size(0); ++e) {
    auto G = torch::matmul(R, H[e]).transpose(1, 2);  // (R_θ h)ᵀ
    auto imgs = torch::matmul(Yc.unsqueeze(0), G).reshape({-1, X.size(1)});
    auto simgs = torch::matmul(S.unsqueeze(0), G).reshape({-1, X.size(1)});
    auto k = torch::exp(-(Xc.unsqueeze(1) - imgs.unsqueeze(0)).pow(2).sum(-1) / (2 * h * h));
    out += torch::matmul(k, simgs) + (T / (h * h)) * (Xc * k.sum(1, true) - torch::matmul(k, imgs));
  }
  return out / static_cast<double>(Y.size(0) * R.size(0) * H.size(0));
}

/// K(a, b) = E_g k(ã, g b̃) g: [N, M, D, D], same rule.
torch::Tensor reference_gram(const torch::Tensor& R, const torch::Tensor& H, const torch::Tensor& A,
                             const torch::Tensor& B, double h) {
  const int64_t D = A.size(1);
  auto out = torch::zeros({A.size(0), B.size(0), D, D}, torch::kFloat64);
  for (int64_t e = 0; e < H.size(0); ++e) {
    auto G = torch::matmul(R, H[e]);                                         // [Q, D, D]
    auto imgs = torch::matmul(centre(B).unsqueeze(0), G.transpose(1, 2));  // [Q, M, D]
    auto k = torch::exp(-(centre(A).unsqueeze(0).unsqueeze(2) - imgs.unsqueeze(1)).pow(2).sum(-1) / (2 * h * h));
    out += torch::einsum("qnm,qab->nmab", {k, G});
  }
  return out / static_cast<double>(R.size(0) * H.size(0));
}

/// A random g = R_θ F^e P_π (reflection only if `reflect`) and a translation t of every particle.
struct Motion {
  torch::Tensor G, t;  // [D, D], [D]
  torch::Tensor apply(const torch::Tensor& X) const { return torch::matmul(X, G.t()) + t; }
  torch::Tensor rotate(const torch::Tensor& V) const { return torch::matmul(V, G.t()); }
};

Motion random_motion(int64_t P, bool reflect, at::Generator& gen) {
  auto perm = torch::randperm(P, gen, torch::kLong);
  std::vector<int64_t> pi(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + P);
  const double theta = 2 * M_PI * torch::rand({1}, gen, torch::kFloat64).item<double>();
  auto G = torch::matmul(torch::kron(torch::eye(P, torch::kFloat64), group::rotation_2d(theta)),
                         element_matrix(pi, reflect));
  auto t = (3 * torch::randn({2}, gen, torch::kFloat64)).repeat({P});
  return {G, t};
}

torch::Tensor points(int64_t n, int64_t P, double scale, at::Generator& gen) {
  return scale * torch::randn({n, 2 * P}, gen, torch::kFloat64) + torch::randn({n, 1}, gen, torch::kFloat64);
}

// ---- (1) against the definition ----------------------------------------------------------------------

TEST(ParticleOrbitKernel, PhiAndGramMatchThetaQuadrature) {
  // Points with |x̃||ỹ|/h² from ~1 to ~60 (h = 0.5) use both branches of the Bessel functions; the
  // rule with Q = 512 is exact to rounding for such u (e^{−Q²/(2u)}), so the closed form must agree
  // to ~1e-14.
  auto gen = make_gen(21);
  constexpr int64_t kQ = 512;
  double worst = 0;
  for (int64_t P : {3, 4}) {
    for (bool refl : {true, false}) {
      auto R = block_rotations(P, kQ), H = finite_elements(P, refl);
      auto X = points(5, P, 1.2, gen);
      auto Y = torch::cat({X, points(4, P, 1.2, gen)});
      auto S = torch::randn(Y.sizes(), gen, torch::kFloat64);
      for (double h : {0.5, 2.0}) {
        ParticleOrbitKernel k(P, h, refl);
        // u of the identity element at (x_i, x_i): both sides of u = 20 for h = 0.5.
        const double u_self = (centre(X).pow(2).sum(1) / (h * h)).max().item<double>();
        if (h == 0.5) ASSERT_GT(u_self, 20);
        for (double T : {1.0, 2.0}) {
          auto ref = reference_phi(R, H, X, Y, S, T, h);
          ASSERT_GT(max_abs(ref), 1e-3);
          const double err = rel_err(k.phi(X, Y, S, T), ref);
          worst = std::max(worst, err);
          EXPECT_LT(err, 1e-9) << k.name() << " h=" << h << " T=" << T;
        }
        EXPECT_LT(rel_err(k.gram(X, Y), reference_gram(R, H, X, Y, h)), 1e-9) << k.name() << " h=" << h;
      }
    }
  }
  std::printf("[ particle orbit ] phi vs the θ quadrature: worst relative error %.3g\n", worst);
}

TEST(ParticleOrbitKernel, SmallBandwidthMatchesThetaQuadrature) {
  // h = 0.05: u up to ~4000 (asymptotic branch, exact d²) and most pairs and elements pruned. The
  // anchors are noisy group images of the particles, so that non-identity elements contribute.
  auto gen = make_gen(22);
  const int64_t P = 4;
  const double h = 0.05;
  ParticleOrbitKernel k(P, h, true);
  auto R = block_rotations(P, 1024), H = finite_elements(P, true);  // e^{−Q²/(2u)} < e^{−60}
  auto X = points(5, P, 1.2, gen);
  std::vector<torch::Tensor> anchors;
  for (int64_t i = 0; i < 5; ++i) {
    auto g = random_motion(P, i % 2 == 1, gen);
    anchors.push_back(g.apply(X[i].unsqueeze(0)) + 0.03 * torch::randn({1, 2 * P}, gen, torch::kFloat64));
  }
  auto Y = torch::cat({X, torch::cat(anchors)});
  auto S = torch::randn(Y.sizes(), gen, torch::kFloat64);
  for (double T : {1.0, 2.0}) {
    auto ref = reference_phi(R, H, X, Y, S, T, h);
    EXPECT_LT(rel_err(k.phi(X, Y, S, T), ref), 1e-9) << "T=" << T;
    // The anchors pull: without them the field differs (so they are not pruned away).
    auto alone = k.phi(X, X, S.narrow(0, 0, 5), T) * 5.0 / 10.0;
    EXPECT_GT(rel_err(alone, ref), 1e-3);
  }
}

// ---- the divergence and drive are those of gram -------------------------------------------------------

TEST(ParticleOrbitKernel, DriveAndDivergenceMatchGram) {
  // φ with T = 0 is (1/M) Σ_j K(x_i, y_j) s_j; with S = 0, T = 1 it is (1/M) Σ_j div_{y_j} K(x_i, y_j),
  // here by central differences of gram (step 1e-4: truncation ~1e-8 relative).
  auto gen = make_gen(23);
  for (bool refl : {true, false}) {
    const int64_t P = 3, D = 6;
    ParticleOrbitKernel k(P, 0.8, refl);
    auto X = points(3, P, 0.8, gen);
    auto Y = torch::cat({X, points(3, P, 0.8, gen)});
    auto S = torch::randn(Y.sizes(), gen, torch::kFloat64);
    const int64_t M = Y.size(0);
    auto K = k.gram(X, Y);  // [N, M, D, D]
    auto drive = torch::einsum("nmab,mb->na", {K, S}) / static_cast<double>(M);
    EXPECT_LT(rel_err(k.phi(X, Y, S, 0.0), drive), 1e-13) << k.name();

    const double step = 1e-4;
    auto div = torch::zeros_like(X);
    for (int64_t j = 0; j < M; ++j) {
      for (int64_t b = 0; b < D; ++b) {
        auto Yp = Y.narrow(0, j, 1).clone(), Ym = Yp.clone();
        Yp[0][b] += step;
        Ym[0][b] -= step;
        auto dK = (k.gram(X, Yp) - k.gram(X, Ym)) / (2 * step);  // [N, 1, D, D]
        div += dK.select(1, 0).select(2, b);
      }
    }
    div /= static_cast<double>(M);
    EXPECT_LT(rel_err(k.phi(X, Y, torch::zeros_like(S), 1.0), div), 1e-7) << k.name();
  }
}

// ---- (2) equivariance ---------------------------------------------------------------------------------

TEST(ParticleOrbitKernel, JointMotionEquivariance) {
  // φ(g X + t) = g φ(X) with Y, S moved alike, for g ∈ O(2) × S_P. The SO(2) × S_P kernel passes as
  // well: F normalises SO(2) × S_P (F R_θ F = R_{−θ}), so K(Fx, Fy) = F K(x, y) F. The per-particle
  // test below is the one that tells the two apart. h = 1e-3 (u ~ 1e7) uses anchors within ~h of
  // group images of the particles.
  auto gen = make_gen(24);
  const int64_t P = 4;
  for (bool refl : {true, false}) {
    for (double h : {0.3, 1.0, 1e-3}) {
      ParticleOrbitKernel k(P, h, refl);
      auto X = points(7, P, 1.0, gen);
      std::vector<torch::Tensor> near;
      for (int64_t i = 0; i < 4; ++i)
        near.push_back(random_motion(P, i % 2 == 0, gen).apply(X[i].unsqueeze(0)) +
                       h * torch::randn({1, 2 * P}, gen, torch::kFloat64));
      auto Y = torch::cat({X, torch::cat(near), points(3, P, 1.0, gen)});
      auto S = torch::randn(Y.sizes(), gen, torch::kFloat64);
      for (double T : {1.0, 2.0}) {
        auto phi = k.phi(X, Y, S, T);
        ASSERT_GT(max_abs(phi), 1e-6);  // small (1/(M|H|) and few close elements) but not underflowed
        for (int trial = 0; trial < 4; ++trial) {
          auto g = random_motion(P, trial % 2 == 1, gen);
          auto phi_g = k.phi(g.apply(X), g.apply(Y), g.rotate(S), T);
          EXPECT_LT(rel_err(phi_g, g.rotate(phi)), 1e-10) << k.name() << " h=" << h << " T=" << T;
        }
      }
    }
  }
}

/// Moves y_j (a particle, j < N, or an anchor) to g y_j + t with score g s_j: returns the relative
/// change of φ at the other particles and, for j < N, the error of φ at the moved one against g φ.
std::pair<double, double> move_one(const ParticleOrbitKernel& k, const torch::Tensor& X, const torch::Tensor& Y,
                                   const torch::Tensor& S, int64_t j, const Motion& g) {
  const int64_t N = X.size(0);
  auto phi = k.phi(X, Y, S, 1.0);
  auto Y2 = Y.clone(), S2 = S.clone();
  Y2[j] = g.apply(Y[j].unsqueeze(0))[0];
  S2[j] = g.rotate(S[j].unsqueeze(0))[0];
  auto X2 = Y2.narrow(0, 0, N);
  auto phi2 = k.phi(X2, Y2, S2, 1.0);
  auto others = torch::ones({N}, torch::kBool);
  if (j < N) others[j] = false;
  const double scale = max_abs(phi);
  const double d_others = max_abs(phi2.index({others}) - phi.index({others})) / scale;
  const double d_moved = j < N ? max_abs(phi2[j] - g.rotate(phi[j].unsqueeze(0))[0]) / scale : 0.0;
  return {d_others, d_moved};
}

TEST(ParticleOrbitKernel, EachParticleStandsForItsOrbit) {
  // Moving one particle within its orbit changes no other update and transforms its own, for every
  // element of the kernel's group; the SO(2) × S_P kernel fails it for reflections (negative control).
  auto gen = make_gen(25);
  const int64_t P = 4;
  auto X = points(6, P, 1.0, gen);
  auto Y = torch::cat({X, points(3, P, 1.0, gen)});
  auto S = torch::randn(Y.sizes(), gen, torch::kFloat64);
  double so2_reflection_error = 0;
  for (bool refl : {true, false}) {
    ParticleOrbitKernel k(P, 0.7, refl);
    for (int64_t j : {0, 4, 7}) {
      for (int trial = 0; trial < 4; ++trial) {
        const bool reflect = trial % 2 == 1;
        auto [others, moved] = move_one(k, X, Y, S, j, random_motion(P, reflect, gen));
        if (refl || !reflect) {
          EXPECT_LT(others, 1e-12) << k.name() << " j=" << j << " reflect=" << reflect;
          EXPECT_LT(moved, 1e-12) << k.name() << " j=" << j << " reflect=" << reflect;
        } else {
          so2_reflection_error = std::max(so2_reflection_error, std::max(others, moved));
        }
      }
    }
  }
  std::printf("[ SO2xS4 ] per-particle reflection error: %.3g\n", so2_reflection_error);
  EXPECT_GT(so2_reflection_error, 1e-2);
}

// ---- (3) gram ---------------------------------------------------------------------------------------

TEST(ParticleOrbitKernel, GramTransformsAndIsSymmetric) {
  auto gen = make_gen(26);
  for (bool refl : {true, false}) {
    const int64_t P = 4;
    ParticleOrbitKernel k(P, 0.6, refl);
    auto A = points(4, P, 1.0, gen), B = points(5, P, 1.0, gen);
    auto K = k.gram(A, B);
    ASSERT_EQ(K.sizes(), (torch::IntArrayRef{4, 5, 8, 8}));
    ASSERT_GT(max_abs(K), 1e-3);
    EXPECT_LT(rel_err(k.gram(B, A).permute({1, 0, 3, 2}), K), 1e-13) << k.name();
    for (int trial = 0; trial < 4; ++trial) {
      auto g = random_motion(P, trial % 2 == 1, gen);
      auto Kg = k.gram(g.apply(A), g.apply(B));
      EXPECT_LT(rel_err(Kg, torch::matmul(torch::matmul(g.G, K), g.G.t())), 1e-12) << k.name();
    }
  }
}

// ---- (4) the orbit distance -------------------------------------------------------------------------

TEST(ParticleOrbitKernel, PairSqDistIsTheOrbitDistance) {
  auto gen = make_gen(27);
  const int64_t P = 4, Q = 8192;
  ParticleOrbitKernel k(P, 1.0, true);
  auto A = points(6, P, 1.0, gen);
  // b = g a + t: distance zero (to rounding of |ã|² ~ 10).
  std::vector<torch::Tensor> same;
  for (int64_t p = 0; p < 6; ++p) same.push_back(random_motion(P, p % 2 == 0, gen).apply(A[p].unsqueeze(0)));
  EXPECT_LT(max_abs(k.pair_sq_dist(A, torch::cat(same))), 1e-13);
  // Otherwise: the minimum over every element and a fine θ grid; the grid minimum exceeds the true
  // one by at most ρ (π/Q)² ≈ 1.5e-7 ρ.
  auto B = points(6, P, 1.0, gen);
  auto d2 = k.pair_sq_dist(A, B);
  auto R = block_rotations(P, Q), H = finite_elements(P, true);
  auto grid = torch::full({6}, std::numeric_limits<double>::infinity(), torch::kFloat64);
  for (int64_t e = 0; e < H.size(0); ++e) {
    auto imgs = torch::matmul(torch::matmul(R, H[e]), centre(B).t());  // [Q, D, 6]
    grid = torch::minimum(grid, (centre(A).t().unsqueeze(0) - imgs).pow(2).sum(1).amin(0));
  }
  const double rho_bound = (centre(A).norm(2, 1) * centre(B).norm(2, 1)).max().item<double>();
  EXPECT_GE((grid - d2).min().item<double>(), -1e-12);
  EXPECT_LT((grid - d2).max().item<double>(), 2e-7 * rho_bound);
  EXPECT_GT(d2.min().item<double>(), 1e-3);
  // Without reflections a reflected copy is at a positive distance.
  ParticleOrbitKernel so2(P, 1.0, false);
  auto F = element_matrix({0, 1, 2, 3}, true);
  EXPECT_GT(so2.pair_sq_dist(A, torch::matmul(A, F.t())).min().item<double>(), 1e-3);
  EXPECT_LT(max_abs(k.pair_sq_dist(A, torch::matmul(A, F.t()))), 1e-13);
}

// ---- (5) scaled Bessel functions ----------------------------------------------------------------------

TEST(ParticleOrbitKernel, ScaledBesselMatchesTorchAndStd) {
  std::vector<double> u = {0, 1e-300, 1e-20, 1e-8, 1e-3, 0.5, 1, 8, 20, std::nextafter(20.0, 0.0), 1e3, 1e6, 1e12};
  for (double v = 0.01; v < 40; v += 0.0137) u.push_back(v);    // dense over both branches and bins
  for (double e = 1; e <= 12; e += 0.01) u.push_back(std::pow(10.0, e));
  auto ut = torch::tensor(u, torch::kFloat64);
  auto i0 = torch::empty_like(ut), i1 = torch::empty_like(ut);
  for (size_t n = 0; n < u.size(); ++n) {
    i0[n] = kernel::scaled_bessel_i0(u[n]);
    i1[n] = kernel::scaled_bessel_i1(u[n]);
  }
  auto rel = [](const torch::Tensor& a, const torch::Tensor& b) {
    return ((a - b).abs() / b.abs().clamp_min(1e-300)).max().item<double>();
  };
  const double e0 = rel(i0, torch::special::i0e(ut)), e1 = rel(i1, torch::special::i1e(ut));
  std::printf("[ scaled Bessel ] max relative error vs torch: I0e %.3g, I1e %.3g\n", e0, e1);
  EXPECT_LT(e0, 1e-13);
  EXPECT_LT(e1, 1e-13);
  EXPECT_EQ(kernel::scaled_bessel_i1(0), 0.0);
  // An independent reference below the overflow of I_ν: libstdc++'s cyl_bessel_i.
  double worst = 0;
  for (double v : u) {
    if (v > 600 || v < 1e-3) continue;
    worst = std::max(worst, std::abs(kernel::scaled_bessel_i0(v) / (std::exp(-v) * std::cyl_bessel_i(0.0, v)) - 1));
    worst = std::max(worst, std::abs(kernel::scaled_bessel_i1(v) / (std::exp(-v) * std::cyl_bessel_i(1.0, v)) - 1));
  }
  std::printf("[ scaled Bessel ] max relative error vs std::cyl_bessel_i: %.3g\n", worst);
  EXPECT_LT(worst, 1e-13);
}

// ---- (6) bad inputs ----------------------------------------------------------------------------------

TEST(ParticleOrbitKernel, BadInputsThrow) {
  ParticleOrbitKernel k(4, 1.0);
  EXPECT_EQ(k.name(), "orbit-matrix(O2xS4)");
  EXPECT_EQ(ParticleOrbitKernel(3, 1.0, false).name(), "orbit-matrix(SO2xS3)");
  EXPECT_EQ(k.num_elements(), 48);
  auto odd = torch::randn({3, 7}, torch::kFloat64);
  expect_error([&] { k.phi(odd, odd, odd, 1.0); }, ErrorKind::kInvalidArgument, {"odd D = 7", "D = 2P"});
  auto six = torch::randn({3, 6}, torch::kFloat64);
  expect_error([&] { k.phi(six, six, six, 1.0); }, ErrorKind::kInvalidArgument,
               {"orbit-matrix(O2xS4) acts on 8-D points (4 particles", "X has D = 6"});
  expect_error([&] { k.gram(six, six); }, "A has D = 6");
  expect_error([&] { k.pair_sq_dist(six, six); }, "A has D = 6");
  auto half = torch::randn({3, 8}).to(torch::kFloat16);
  expect_error([&] { k.phi(half, half, half, 1.0); }, "float32 or float64");
  expect_error([&] { ParticleOrbitKernel(9, 1.0); }, ErrorKind::kInvalidArgument, {"2 to 8 particles", "P = 9"});
  expect_error([&] { ParticleOrbitKernel(1, 1.0); }, "P = 1");
  expect_error([&] { ParticleOrbitKernel(4, 0.0); }, "bandwidth");
  auto X = torch::randn({3, 8}, torch::kFloat64);
  expect_error([&] { k.phi(X, X, X.narrow(0, 0, 2), 1.0); }, "scores S must match");
}

TEST(ParticleOrbitKernel, Float32InFloat32Out) {
  auto gen = make_gen(28);
  ParticleOrbitKernel k(4, 0.5);
  auto X = points(6, 4, 1.0, gen);
  auto S = torch::randn(X.sizes(), gen, torch::kFloat64);
  auto phi32 = k.phi(X.to(torch::kFloat32), X.to(torch::kFloat32), S.to(torch::kFloat32), 1.0);
  ASSERT_EQ(phi32.scalar_type(), torch::kFloat32);
  // Only the inputs are rounded: ~1e-7 relative, amplified by |x|²/h² ~ 10 in the exponents.
  EXPECT_LT(rel_err(phi32.to(torch::kFloat64), k.phi(X, X, S, 1.0)), 1e-5);
}

}  // namespace
}  // namespace esvgd::test
