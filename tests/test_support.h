#pragma once
// Helpers every test module shares: seeded generators, a whole-tensor relative error, and checks
// that a call throws esvgd::Error with the expected kind and message pieces.
#include <algorithm>
#include <initializer_list>
#include <cmath>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "esvgd/core/error.h"

namespace esvgd::test {

inline at::Generator make_gen(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

/// max |a − b| / max(max |b|, floor): the relative error of a whole tensor against a reference.
inline double rel_err(const torch::Tensor& a, const torch::Tensor& b, double floor = 1e-300) {
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), floor);
}

/// Runs f, expects esvgd::Error of `kind` whose message contains every needle.
template <typename F>
void expect_error(F&& f, esvgd::ErrorKind kind, std::initializer_list<std::string> needles) {
  try {
    f();
    ADD_FAILURE() << "no esvgd::Error thrown";
  } catch (const esvgd::Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const auto& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << "'" << n << "' not in message: " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected esvgd::Error, got another exception: " << e.what();
  }
}

/// Runs f, expects esvgd::Error (of any kind) whose message contains `needle`.
template <typename F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no esvgd::Error thrown (expected one mentioning '" << needle << "')";
  } catch (const esvgd::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected esvgd::Error mentioning '" << needle << "', got another exception: " << e.what();
  }
}


/// A random element of E(2) × S_P acting on rows of P planar particles [N, 2P]:
/// particle i of the result is Q x_perm[i] + t.
struct ParticleMotion {
  torch::Tensor Q;            ///< [2, 2] float64, a rotation or (reflect) a reflection
  std::vector<int64_t> perm;  ///< permutation of the particles
  torch::Tensor t;            ///< [2] translation
  /// The motion applied to configurations; with translate = false to vectors (scores, φ).
  torch::Tensor apply(const torch::Tensor& X, bool translate = true) const {
    const int64_t N = X.size(0), P = static_cast<int64_t>(perm.size());
    auto x = X.view({N, P, 2}).index_select(1, torch::tensor(perm, torch::kLong));
    auto y = torch::matmul(x, Q.to(X.dtype()).t());
    if (translate) y = y + t.to(X.dtype());
    return y.reshape({N, 2 * P});
  }
};

inline ParticleMotion random_particle_motion(int64_t P, at::Generator& gen, bool reflect) {
  const double th = 2 * M_PI * torch::rand({1}, gen, torch::kFloat64).item<double>();
  auto Q = torch::tensor({std::cos(th), -std::sin(th), std::sin(th), std::cos(th)}, torch::kFloat64).view({2, 2});
  if (reflect) Q = torch::matmul(Q, torch::diag(torch::tensor({1.0, -1.0}, torch::kFloat64)));
  auto p = torch::randperm(P, gen, torch::kLong);
  return {Q, std::vector<int64_t>(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + P),
          torch::randn({2}, gen, torch::kFloat64) * 3};
}

}  // namespace esvgd::test
