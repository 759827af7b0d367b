#include "model/input_map.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "model/frozen_mlp.h"

namespace esvgd::model {

namespace {

int64_t at(int64_t f, int64_t row, int64_t width) { return FrozenMlp::offset(f, row, width); }

/// none: z = x.
class Identity : public InputMap {
 public:
  explicit Identity(int64_t dim) : D_(dim) {}
  int64_t width() const override { return D_; }
  torch::Tensor inputs(const torch::Tensor& X) const override { return X; }
  void forward(const double* x, int64_t N, float* z) override {
    for (int64_t n = 0; n < N; ++n)
      for (int64_t f = 0; f < D_; ++f) z[at(f, n, D_)] = static_cast<float>(x[n * D_ + f]);
  }
  void backward(const double*, int64_t N, const float* dz, double* grad) const override {
    for (int64_t n = 0; n < N; ++n)
      for (int64_t f = 0; f < D_; ++f) grad[n * D_ + f] = static_cast<double>(dz[at(f, n, D_)]);
  }
  std::unique_ptr<InputMap> clone() const override { return std::make_unique<Identity>(*this); }

 private:
  int64_t D_;
};

/// cyclic: z_m = R_m x for the n rotations of C_n; dE/dx = Σ_m R_mᵀ dE/dz_m.
class CyclicCopies : public InputMap {
 public:
  explicit CyclicCopies(torch::Tensor rotations) : R_(std::move(rotations)) {
    auto R = R_.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    r_.assign(R.data_ptr<float>(), R.data_ptr<float>() + R.numel());
  }
  int64_t width() const override { return R_.size(1); }
  int64_t copies() const override { return R_.size(0); }
  torch::Tensor inputs(const torch::Tensor& X) const override {  // [n, N, D] flattened, m major
    return torch::matmul(X.unsqueeze(0), R_.transpose(1, 2)).reshape({-1, X.size(1)});
  }
  void forward(const double* x, int64_t N, float* z) override {
    const int64_t D = width();
    for (int64_t m = 0; m < copies(); ++m) {
      const float* R = r_.data() + m * D * D;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t f = 0; f < D; ++f) {
          float acc = 0.f;
          for (int64_t k = 0; k < D; ++k) acc += R[f * D + k] * static_cast<float>(x[n * D + k]);
          z[at(f, m * N + n, D)] = acc;
        }
    }
  }
  void backward(const double*, int64_t N, const float* dz, double* grad) const override {
    const int64_t D = width();
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < D; ++k) {
        float acc = 0.f;
        for (int64_t m = 0; m < copies(); ++m) {
          const float* R = r_.data() + m * D * D;
          for (int64_t f = 0; f < D; ++f) acc += R[f * D + k] * dz[at(f, m * N + n, D)];
        }
        grad[n * D + k] = static_cast<double>(acc);
      }
  }
  std::unique_ptr<InputMap> clone() const override { return std::make_unique<CyclicCopies>(*this); }

 private:
  torch::Tensor R_;        ///< [n, D, D], the model's buffer
  std::vector<float> r_;   ///< the same on the CPU for the loops
};

/// radius: z = |x|; d|x|/dx = x/|x|, taken as 0 at the origin.
class Radius : public InputMap {
 public:
  explicit Radius(int64_t dim) : D_(dim) {}
  int64_t width() const override { return 1; }
  torch::Tensor inputs(const torch::Tensor& X) const override { return X.norm(2, 1, true); }
  void forward(const double* x, int64_t N, float* z) override {
    r_.resize(static_cast<size_t>(N));
    for (int64_t n = 0; n < N; ++n) {
      double r2 = 0;
      for (int64_t k = 0; k < D_; ++k) r2 += x[n * D_ + k] * x[n * D_ + k];
      r_[static_cast<size_t>(n)] = static_cast<float>(std::sqrt(r2));
      z[at(0, n, 1)] = r_[static_cast<size_t>(n)];
    }
  }
  void backward(const double* x, int64_t N, const float* dz, double* grad) const override {
    for (int64_t n = 0; n < N; ++n) {
      const double r = static_cast<double>(r_[static_cast<size_t>(n)]);
      const double f = r > 0 ? static_cast<double>(dz[at(0, n, 1)]) / r : 0.0;
      for (int64_t k = 0; k < D_; ++k) grad[n * D_ + k] = f * x[n * D_ + k];
    }
  }
  std::unique_ptr<InputMap> clone() const override { return std::make_unique<Radius>(*this); }

 private:
  int64_t D_;
  std::vector<float> r_;  ///< the radii of the last forward(), in float as the network saw them
};

/// canonical / pair-distances: z = m(x), the particle invariant's loops; dE/dx = J_m(x)ᵀ dE/dz.
class Invariant : public InputMap {
 public:
  Invariant(std::shared_ptr<const group::ParticleInvariant> invariant, int64_t dim)
      : inv_(std::move(invariant)), D_(dim), feat_(static_cast<size_t>(inv_->feature_dim())) {}
  int64_t width() const override { return inv_->feature_dim(); }
  torch::Tensor inputs(const torch::Tensor& X) const override { return inv_->features_autograd(X); }
  void forward(const double* x, int64_t N, float* z) override {
    const int64_t D = D_, F = width(), S = inv_->scratch_size();
    scratch_.resize(static_cast<size_t>(N * S));
    for (int64_t n = 0; n < N; ++n) {
      inv_->forward(x + n * D, feat_.data(), scratch_.data() + n * S);
      for (int64_t f = 0; f < F; ++f) z[at(f, n, F)] = static_cast<float>(feat_[static_cast<size_t>(f)]);
    }
  }
  void backward(const double* x, int64_t N, const float* dz, double* grad) const override {
    const int64_t D = D_, F = width(), S = inv_->scratch_size();
    for (int64_t n = 0; n < N; ++n) {
      for (int64_t f = 0; f < F; ++f) feat_[static_cast<size_t>(f)] = static_cast<double>(dz[at(f, n, F)]);
      inv_->backward(x + n * D, feat_.data(), scratch_.data() + n * S, grad + n * D);
    }
  }
  std::unique_ptr<InputMap> clone() const override { return std::make_unique<Invariant>(*this); }
  const group::ParticleInvariant& invariant() const { return *inv_; }

 private:
  std::shared_ptr<const group::ParticleInvariant> inv_;
  int64_t D_;
  mutable std::vector<double> feat_;  ///< [F] scratch
  std::vector<double> scratch_;       ///< per row: what the map's forward left for its backward
};

}  // namespace

namespace {

std::unique_ptr<InputMap> make_identity(const EnergyModelOptions& o, const torch::Tensor&) {
  return std::make_unique<Identity>(o.dim());
}
std::unique_ptr<InputMap> make_cyclic(const EnergyModelOptions&, const torch::Tensor& rotations) {
  return std::make_unique<CyclicCopies>(rotations);
}
std::unique_ptr<InputMap> make_radius(const EnergyModelOptions& o, const torch::Tensor&) {
  return std::make_unique<Radius>(o.dim());
}
template <group::ParticleInvariant::Kind kind>
std::unique_ptr<InputMap> make_invariant(const EnergyModelOptions& o, const torch::Tensor&) {
  return std::make_unique<Invariant>(
      std::make_shared<group::ParticleInvariant>(kind, o.dim() / o.particle_dim(), o.particle_dim()), o.dim());
}

}  // namespace

const std::vector<SymmetryEntry>& symmetry_registry() {
  using Kind = group::ParticleInvariant::Kind;
  static const std::vector<SymmetryEntry> registry{
      {Symmetry::kNone, "none", "no invariance: the network sees x", make_identity},
      {Symmetry::kCyclic, "cyclic", "C_n of the plane: outputs averaged over the n rotations of x", make_cyclic},
      {Symmetry::kRadius, "radius", "O(D): the network sees |x|", make_radius},
      {Symmetry::kCanonical, "canonical",
       "E(n) x S_M on particle systems: the network sees the canonical form of x", make_invariant<Kind::kCanonical>},
      {Symmetry::kPairDistances, "pair-distances",
       "E(n) x S_M on particle systems: the network sees the sorted pair distances", make_invariant<Kind::kPairDistances>},
  };
  return registry;
}

std::unique_ptr<InputMap> make_input_map(const EnergyModelOptions& o, const torch::Tensor& rotations) {
  for (const auto& e : symmetry_registry())
    if (e.value == o.symmetry()) return e.make(o, rotations);
  throw Error(ErrorKind::kInternal, "", "model symmetry not registered");
}

const group::ParticleInvariant* particle_invariant_of(const InputMap& map) {
  const auto* invariant = dynamic_cast<const Invariant*>(&map);
  return invariant ? &invariant->invariant() : nullptr;
}

}  // namespace esvgd::model
