#include "esvgd/target/meta_stable.h"

#include <algorithm>
#include <cmath>

#include <ATen/Parallel.h>
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/group/particle_invariant.h"

namespace esvgd::target {

namespace {
double norm(const std::vector<double>& g) {
  double s = 0;
  for (double v : g) s += v * v;
  return std::sqrt(s);
}

group::ParticleInvariant distances_of(const DoubleWellPotential& u) {
  return {group::ParticleInvariant::Kind::kPairDistances, u.options().particles(), u.options().particle_dim()};
}

/// Hessian of u at x by central differences of the analytic gradient, symmetrised: [D, D].
torch::Tensor hessian(const DoubleWellPotential& u, const std::vector<double>& x) {
  const int64_t D = u.dim();
  const double eps = 1e-5;
  auto H = torch::empty({D, D}, torch::kFloat64);
  std::vector<double> xp = x, gp(D), gm(D);
  for (int64_t k = 0; k < D; ++k) {
    xp[k] = x[k] + eps;
    u.energy_row(xp.data(), gp.data());
    xp[k] = x[k] - eps;
    u.energy_row(xp.data(), gm.data());
    xp[k] = x[k];
    for (int64_t l = 0; l < D; ++l) H[k][l] = (gp[l] - gm[l]) / (2 * eps);
  }
  return (H + H.t()) / 2;
}
}  // namespace

Relaxation relax(const DoubleWellPotential& u, const torch::Tensor& X, const RelaxOptions& o) {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == u.dim(), "relax expects configurations [N, ", u.dim(), "], got ", X.sizes());
  ESVGD_CHECK(o.max_iterations() >= 0 && o.gradient_tolerance() > 0 && o.initial_step() > 0,
              "relax needs max_iterations >= 0, gradient_tolerance > 0 and initial_step > 0");
  auto x = X.to(torch::kCPU, torch::kFloat64).contiguous().clone();
  const int64_t N = x.size(0), D = u.dim();
  auto energy = torch::empty({N}, x.options());
  auto converged = torch::zeros({N}, torch::kBool);
  double* px = x.data_ptr<double>();
  double* pe = energy.data_ptr<double>();
  bool* pc = converged.data_ptr<bool>();
  at::parallel_for(0, N, 16, [&](int64_t begin, int64_t end) {
    std::vector<double> g(D), trial(D), gt(D);
    for (int64_t n = begin; n < end; ++n) {
      double* xn = px + n * D;
      double e = u.energy_row(xn, g.data()), step = o.initial_step();
      int64_t it = 0;
      for (; it < o.max_iterations() && norm(g) >= o.gradient_tolerance() && std::isfinite(e); ++it) {
        for (int64_t k = 0; k < D; ++k) trial[k] = xn[k] - step * g[k];
        const double et = u.energy_row(trial.data(), gt.data());
        // Near the minimum the energy change drops below rounding: accept a step that keeps u
        // within rounding and shrinks the gradient.
        const bool flat = et - e <= 1e-13 * (1 + std::abs(e)) && norm(gt) < norm(g);
        if (et <= e || flat) {
          std::copy(trial.begin(), trial.end(), xn);
          std::swap(g, gt);
          e = et;
          step *= 1.2;
        } else {
          step *= 0.5;
        }
      }
      pe[n] = e;
      pc[n] = std::isfinite(e) && norm(g) < o.gradient_tolerance();
    }
  });
  return {x, energy, converged};
}

std::vector<MetaStableState> find_meta_stable_states(const DoubleWellPotential& u, const StateSearchOptions& o,
                                                     at::Generator& gen) {
  ESVGD_CHECK(o.starts() >= 1 && o.box() > 0, "the state search needs starts >= 1 and box > 0");
  const int64_t D = u.dim(), d = u.options().particle_dim(), P = u.options().particles();
  auto starts = -o.box() + 2 * o.box() * torch::rand({o.starts(), D}, gen, torch::kFloat64);
  auto r = relax(u, starts, o.relax());
  auto F = distances_of(u).features(r.x);
  std::vector<MetaStableState> states;
  for (int64_t n = 0; n < o.starts(); ++n) {
    if (!r.converged[n].item<bool>()) continue;
    std::vector<double> f(F[n].data_ptr<double>(), F[n].data_ptr<double>() + F.size(1));
    auto same = std::find_if(states.begin(), states.end(), [&](const MetaStableState& s) {
      double m = 0;
      for (size_t k = 0; k < f.size(); ++k) m = std::max(m, std::abs(f[k] - s.distances[k]));
      return m < o.distance_tolerance();
    });
    if (same != states.end()) {
      ++same->hits;
      continue;
    }
    MetaStableState s;
    s.energy = r.energy[n].item<double>();
    s.x.assign(r.x[n].data_ptr<double>(), r.x[n].data_ptr<double>() + D);
    for (int64_t k = 0; k < d; ++k) {  // centre the representative
      double c = 0;
      for (int64_t i = 0; i < P; ++i) c += s.x[i * d + k];
      for (int64_t i = 0; i < P; ++i) s.x[i * d + k] -= c / static_cast<double>(P);
    }
    s.distances = f;
    s.hits = 1;
    // The rigid motions (d translations, d(d−1)/2 rotations) give zero curvatures; a minimum has no
    // negative one beyond rounding, a saddle has at least one.
    auto ev = torch::linalg_eigvalsh(hessian(u, s.x), "L");
    const int64_t rigid = d + d * (d - 1) / 2;
    if (ev[0].item<double>() < -1e-6) continue;
    s.min_curvature = ev[rigid].item<double>();
    if (s.min_curvature <= 1e-6) continue;
    states.push_back(std::move(s));
  }
  std::sort(states.begin(), states.end(), [](const auto& a, const auto& b) { return a.energy < b.energy; });
  for (size_t k = 0; k < states.size(); ++k) states[k].name = "S" + std::to_string(k + 1);
  return states;
}

StateClassifier::StateClassifier(const DoubleWellPotential& u, std::vector<MetaStableState> states, double tolerance,
                                 RelaxOptions relax)
    : u_(u), states_(std::move(states)), tolerance_(tolerance), relax_(relax) {
  ESVGD_CHECK(!states_.empty(), "a state classifier needs at least one state");
  ESVGD_CHECK(tolerance_ > 0, "state tolerance must be > 0, got ", tolerance_);
}

torch::Tensor StateClassifier::match(const torch::Tensor& relaxed) const {
  auto F = distances_of(u_).features(relaxed.to(torch::kFloat64)).contiguous();
  const int64_t N = F.size(0), Q = F.size(1);
  auto label = torch::full({N}, int64_t{-1}, torch::kLong);
  for (int64_t n = 0; n < N; ++n) {
    const double* f = F.data_ptr<double>() + n * Q;
    double best = tolerance_;
    for (size_t s = 0; s < states_.size(); ++s) {
      double m = 0;
      for (int64_t k = 0; k < Q; ++k) m = std::max(m, std::abs(f[k] - states_[s].distances[static_cast<size_t>(k)]));
      if (m < best) best = m, label[n] = static_cast<int64_t>(s);
    }
  }
  return label;
}

StateClassifier::Assignment StateClassifier::assign(const torch::Tensor& X) const {
  auto r = relax(u_, X, relax_);
  auto label = match(r.x);
  return {torch::where(r.converged, label, torch::full_like(label, -1)),
          (r.x - X.to(torch::kFloat64)).square().mean(1).sqrt()};
}

torch::Tensor StateClassifier::classify(const torch::Tensor& X) const { return assign(X).state; }

}  // namespace esvgd::target
