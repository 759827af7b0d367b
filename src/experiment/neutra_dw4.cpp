// DW-4 as a target of `esvgd run neutra` (src/experiment/neutra_problem.h). exp(−u) is invariant
// under translations and so not normalisable; a Gaussian on the centre of mass c, log π = −u(x) −
// P|c|²/2 (c ~ N(0, I/P), as for the flows' standard normal base), makes it a density with the
// symmetry O(2) × S4 about the origin and leaves every internal coordinate's law unchanged. The
// equivariant flow is particle_radial_flow (exactly O(2) × S4-equivariant; translations are not a
// symmetry of this π). There are no shipped exact samples of exp(−u), so the reference is a long HMC
// run in X from many random starts (its length is a config key; docs/results.md says so).
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "esvgd/core/progress.h"
#include "esvgd/flow/builders.h"
#include "esvgd/group/particle_group.h"
#include "esvgd/metric/discrepancy.h"
#include "esvgd/sampler/hmc.h"
#include "esvgd/target/double_well.h"
#include "esvgd/target/meta_stable.h"
#include "experiment/dw4_distances.h"
#include "experiment/neutra_problem.h"

namespace esvgd::experiment {

namespace {

constexpr int64_t kParticles = 4;

/// π(x) ∝ exp(−u(x) − P|c(x)|²/2); log π by torch ops (autograd differentiates it), the score by the
/// analytic −∇u minus c for every particle (∂(P|c|²/2)/∂x_i = c).
class CentredDoubleWell : public target::Target {
 public:
  std::string name() const override { return "dw4 with a centre-of-mass Gaussian"; }
  int64_t dim() const override { return 2 * kParticles; }
  torch::Tensor log_prob(const torch::Tensor& X) const override { return -energy(X) - centre_penalty(X); }
  torch::Tensor score(const torch::Tensor& X) const override { return u_.score(X) - centre(X).repeat({1, kParticles}); }
  /// u(X) [N] by torch ops (unordered pairs, DoubleWellOptions' defaults).
  torch::Tensor energy(const torch::Tensor& X) const {
    const auto& o = u_.options();
    const auto p = X.reshape({X.size(0), kParticles, 2});
    const auto pairs = torch::triu_indices(kParticles, kParticles, 1);
    const auto diff = p.index_select(1, pairs[0]) - p.index_select(1, pairs[1]);
    const auto d = diff.pow(2).sum(-1).clamp_min(1e-300).sqrt() - o.d0();
    return (o.a() * d + o.b() * d.pow(2) + o.c() * d.pow(4)).sum(1) / o.tau();
  }
  const target::DoubleWellPotential& potential() const { return u_; }

 private:
  static torch::Tensor centre(const torch::Tensor& X) { return X.reshape({X.size(0), kParticles, 2}).mean(1); }
  static torch::Tensor centre_penalty(const torch::Tensor& X) { return 0.5 * kParticles * centre(X).pow(2).sum(1); }
  target::DoubleWellPotential u_;
};

torch::Tensor centred(const torch::Tensor& X) {
  const auto p = X.reshape({X.size(0), kParticles, 2});
  return (p - p.mean(1, true)).reshape({X.size(0), -1});
}

/// n configurations uniform in [−4, 4)^8, relaxed to their local minima of u (centre of mass kept): a
/// raw uniform start can hold a pair 10 apart, whose quartic wall makes every proposal of a shared
/// step size diverge, and the chain never moves.
torch::Tensor relaxed_starts(const CentredDoubleWell& t, int64_t n, at::Generator& gen) {
  return target::relax(t.potential(), torch::rand({n, 8}, gen, torch::kFloat64) * 8 - 4).x;
}

/// Reference samples: HMC in X (L = 10, adapted during the first fifth) from relaxed starts, the
/// last state of every chain at `count` / chains evenly spaced times of the second half.
torch::Tensor reference_samples(const CentredDoubleWell& t, const core::Config& c, const RunContext& ctx,
                                at::Generator& gen) {
  const int64_t chains = c.get_int("dw4.reference_chains"), transitions = c.get_int("dw4.reference_transitions");
  const int64_t count = c.get_int("metrics.truth_samples");
  if (chains < 1 || transitions < 10)
    throw Error(ErrorKind::kConfig, "config keys 'dw4.reference_chains', 'dw4.reference_transitions'",
                "need >= 1 chain and >= 10 transitions");
  const auto o =
      sampler::HmcOptions().leapfrog_steps(10).step_size(0.05).warmup(transitions / 5).max_steps(transitions);
  const auto density = [&t](const torch::Tensor& X) {
    return sampler::LogDensityAndGradient{t.log_prob(X), t.score(X)};
  };
  auto state = sampler::init(relaxed_starts(t, chains, gen), density, o, gen);
  const int64_t keep_every = std::max<int64_t>(1, (transitions / 2) / std::max<int64_t>(1, count / chains));
  core::Progress progress("dw4 reference (HMC in X)", transitions, ctx.log);
  std::vector<torch::Tensor> kept;
  while (state.step < transitions) {
    sampler::step(state, density, o);
    progress.update(state.step);
    if (state.step > transitions / 2 && (transitions - state.step) % keep_every == 0) kept.push_back(state.particles);
  }
  progress.finish();
  const auto all = torch::cat(kept);
  return all.narrow(0, all.size(0) - std::min(count, all.size(0)), std::min(count, all.size(0)));
}

/// ½ Σ |p − q| between histograms of u on 50 bins spanning the reference's 0.5–99.5 % quantiles
/// (energies outside fall into the end bins).
double energy_tv(const torch::Tensor& u, const torch::Tensor& reference_u) {
  constexpr int64_t kBins = 50;
  const double lo = torch::quantile(reference_u, 0.005).item<double>();
  const double hi = torch::quantile(reference_u, 0.995).item<double>();
  auto histogram = [&](const torch::Tensor& e) {
    const auto bin = ((e - lo) / (hi - lo) * kBins).floor().clamp(0, kBins - 1).to(torch::kLong);
    return torch::zeros({kBins}, torch::kFloat64).index_add_(0, bin, torch::ones_like(e)) / e.numel();
  };
  return 0.5 * (histogram(u) - histogram(reference_u)).abs().sum().item<double>();
}

/// The share of samples in every meta-stable state (after relaxation; unclassified last).
torch::Tensor state_shares(const target::StateClassifier& classifier, const torch::Tensor& X) {
  const auto labels = classifier.classify(X);
  const int64_t S = static_cast<int64_t>(classifier.states().size());
  const auto index = torch::where(labels < 0, torch::full_like(labels, S), labels);
  return torch::zeros({S + 1}, torch::kFloat64).index_add_(0, index, torch::ones({X.size(0)}, torch::kFloat64)) /
         X.size(0);
}

/// The DW-4 columns of a sample X against the reference: pair-distance, energy and state histograms
/// (TV), and MMD² of the centred configurations (E-SVGD's kernel ignores the centre of mass).
std::function<nlohmann::json(const torch::Tensor&)> dw4_metrics(std::shared_ptr<const CentredDoubleWell> target,
                                                                const torch::Tensor& reference, double h,
                                                                int64_t search_starts, at::Generator& gen) {
  auto states =
      target::find_meta_stable_states(target->potential(), target::StateSearchOptions().starts(search_starts), gen);
  auto classifier = std::make_shared<target::StateClassifier>(target->potential(), states);
  const auto reference_u = target->energy(reference);
  const auto reference_shares = state_shares(*classifier, reference);
  const auto reference_centred = centred(reference.narrow(0, 0, std::min<int64_t>(2000, reference.size(0))));
  return [=](const torch::Tensor& X) {
    const auto shares = state_shares(*classifier, X);
    return nlohmann::json{{"distance_tv", dw4_distance_tv(X, reference)},
                          {"energy_tv", energy_tv(target->energy(X), reference_u)},
                          {"mmd2_centred", metric::mmd2(centred(X), reference_centred, h)},
                          {"state_shares", to_vector(shares)},
                          {"reference_state_shares", to_vector(reference_shares)},
                          {"state_tv", 0.5 * (shares - reference_shares).abs().sum().item<double>()}};
  };
}

}  // namespace

void declare_dw4_neutra_keys(core::Config& c) {
  c.declare("dw4.reference_chains", int64_t{512}, "HMC chains of the DW-4 reference sample (no exact sampler exists)");
  c.declare("dw4.reference_transitions", int64_t{20000}, "transitions of each reference chain (L = 10)");
  c.declare("dw4.reference_starts", int64_t{400}, "random starts relaxed to find the meta-stable states");
}

NeutraProblem make_dw4_neutra_problem(const core::Config& c, const RunContext& ctx, at::Generator& gen) {
  auto target = std::make_shared<CentredDoubleWell>();
  const auto reference = reference_samples(*target, c, ctx, gen);
  core::write_npy(ctx.out_dir + "/reference_dw4.npy", reference);
  const double h =
      metric::reference_bandwidth(centred(reference.narrow(0, 0, std::min<int64_t>(2000, reference.size(0)))));
  ToyProblem toy{target,    std::make_shared<group::ParticleGroup>(kParticles),
                 reference, target->log_prob(reference).mean().item<double>(),
                 h,         6.0};
  auto extra = dw4_metrics(target, reference, h, c.get_int("dw4.reference_starts"), gen);
  const auto fo = flow_options(c);
  auto starts = relaxed_starts(*target, start_count(c), gen);
  return {"dw4",
          toy,
          starts,
          [fo] { return flow::particle_radial_flow(kParticles, 2, fo); },
          "O(2) × S4 (rotations and reflections of all particles about the origin, permutations)",
          extra};
}

}  // namespace esvgd::experiment
