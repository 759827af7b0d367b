#pragma once
// Helpers every test module shares: seeded generators, a whole-tensor relative error, checks that a
// call throws esvgd::Error with the expected kind and message pieces, a file's whole text, scratch
// folders.
#include <algorithm>
#include <initializer_list>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::test {

inline at::Generator make_gen(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

/// The whole content of a file ("" when it cannot be read), bytes unchanged.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// An empty scratch folder esvgd_<name>_<pid> under the system's temporary folder, removed with its
/// contents when this goes out of scope (also when an assertion ends the test early).
class FreshDir {
 public:
  explicit FreshDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("esvgd_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~FreshDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  FreshDir(const FreshDir&) = delete;
  FreshDir& operator=(const FreshDir&) = delete;

  operator const std::filesystem::path&() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& p) const { return path_ / p; }
  std::string string() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline FreshDir fresh_dir(const std::string& name) { return FreshDir(name); }

inline double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

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


/// A random element of E(d) × S_P acting on rows of P particles in R^d [N, d·P] (d = 2: DW-4;
/// d = 3: molecules): particle i of the result is Q x_perm[i] + t.
struct ParticleMotion {
  torch::Tensor Q;            ///< [d, d] float64, a rotation or (reflect) a rotoreflection
  std::vector<int64_t> perm;  ///< permutation of the particles
  torch::Tensor t;            ///< [d] translation
  /// The motion applied to configurations; with translate = false to vectors (scores, φ).
  torch::Tensor apply(const torch::Tensor& X, bool translate = true) const {
    const int64_t N = X.size(0), P = static_cast<int64_t>(perm.size()), d = Q.size(0);
    auto x = X.view({N, P, d}).index_select(1, torch::tensor(perm, torch::kLong).to(X.device()));
    auto y = torch::matmul(x, Q.to(X.options()).t());
    if (translate) y = y + t.to(X.options());
    return y.reshape({N, d * P});
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

/// A random element of E(3) × S_species on molecules [N, 3P]: a Haar rotation (times −I when
/// reflect), a random permutation among atoms of equal species, a translation.
inline ParticleMotion random_molecule_motion(const std::vector<int64_t>& species, at::Generator& gen, bool reflect) {
  auto qr = torch::linalg_qr(torch::randn({3, 3}, gen, torch::kFloat64));
  auto Q = std::get<0>(qr) * torch::sign(torch::diagonal(std::get<1>(qr))).unsqueeze(0);
  if ((torch::det(Q).item<double>() < 0) != reflect) Q = -Q;
  const int64_t P = static_cast<int64_t>(species.size());
  std::vector<int64_t> perm(static_cast<size_t>(P));
  for (int64_t i = 0; i < P; ++i) perm[static_cast<size_t>(i)] = i;
  auto keys = torch::rand({P}, gen, torch::kFloat64);  // shuffle each species' slots by random keys
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = i + 1; j < P; ++j)
      if (species[static_cast<size_t>(i)] == species[static_cast<size_t>(j)] &&
          keys[perm[static_cast<size_t>(i)]].item<double>() > keys[perm[static_cast<size_t>(j)]].item<double>())
        std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
  return {Q, perm, torch::randn({3}, gen, torch::kFloat64) * 3};
}

/// The atoms of C5H8O in the order the qm9 experiment uses (C, then O, then H).
inline std::vector<int64_t> c5h8o() { return {6, 6, 6, 6, 6, 8, 1, 1, 1, 1, 1, 1, 1, 1}; }

}  // namespace esvgd::test
