#include "esvgd/group/particle_invariant.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "core/double_rows.h"
#include "esvgd/core/error.h"

namespace esvgd::group {

ParticleInvariant::Kind parse_particle_invariant(const std::string& name) {
  if (name == "canonical") return ParticleInvariant::Kind::kCanonical;
  if (name == "pair-distances") return ParticleInvariant::Kind::kPairDistances;
  throw Error(ErrorKind::kConfig, "", "unknown particle invariant '" + name + "' (expected canonical or pair-distances)");
}

ParticleInvariant::ParticleInvariant(Kind kind, int64_t particles, int64_t particle_dim, std::vector<int64_t> species)
    : kind_(kind), P_(particles), d_(particle_dim), species_(std::move(species)) {
  ESVGD_CHECK(P_ >= 2 && P_ <= kMaxParticles, "a particle invariant needs 2..", kMaxParticles, " particles, got ", P_);
  ESVGD_CHECK(d_ >= 1, "particle dimension must be >= 1, got ", d_);
  ESVGD_CHECK(kind_ != Kind::kCanonical || d_ == 2 || d_ == 3,
              "the canonical map is defined for particles in the plane or in space (d = 2 or 3), got d = ", d_);
  ESVGD_CHECK(species_.empty() || static_cast<int64_t>(species_.size()) == P_, "species must give one value per particle (",
              P_, "), got ", species_.size());
  ESVGD_CHECK(species_.empty() || kind_ == Kind::kPairDistances,
              "the canonical map ignores species (the authors' map); use pair-distances for per-species invariance");
  // Species blocks of the pair list: unordered species pairs in increasing order, pairs in row-major order inside.
  std::map<std::pair<int64_t, int64_t>, std::vector<int>> blocks;
  int p = 0;
  for (int64_t i = 0; i < P_; ++i)
    for (int64_t j = i + 1; j < P_; ++j, ++p) {
      pair_i_.push_back(static_cast<int>(i));
      pair_j_.push_back(static_cast<int>(j));
      const int64_t a = species_.empty() ? 0 : species_[i], b = species_.empty() ? 0 : species_[j];
      blocks[{std::min(a, b), std::max(a, b)}].push_back(p);
    }
  block_start_.push_back(0);
  for (const auto& [key, pairs] : blocks) {
    block_pairs_.insert(block_pairs_.end(), pairs.begin(), pairs.end());
    block_start_.push_back(static_cast<int>(block_pairs_.size()));
  }
}

std::string ParticleInvariant::name() const {
  if (kind_ == Kind::kCanonical) return "canonical";
  return species_.empty() ? "pair-distances" : "species-pair-distances";
}

int64_t ParticleInvariant::feature_dim() const { return kind_ == Kind::kCanonical ? P_ * d_ : P_ * (P_ - 1) / 2; }

int64_t ParticleInvariant::scratch_size() const {
  // canonical 2-D: order [P], cos, sin, radius of the farthest; 3-D: order [P], R [9], u [3], radius;
  // pair-distances: order [Q], distances [Q]
  if (kind_ == Kind::kCanonical) return d_ == 2 ? P_ + 3 : P_ + 13;
  return 2 * feature_dim();
}

namespace {
// Up to this many keys a stable sort counts ranks (n² compares without branches); beyond it, and
// with NaN keys, it is an insertion sort. The maps sort 4 radii (DW-4) or 6 distances per row, where
// the insertion sort's data-dependent branches cost more than the compares.
constexpr int64_t kRankSortMax = 16;

/// Stable sort of the indices idx[0..n) by key (ascending): ties keep their order.
void sort_indices(const double* key, int* idx, int64_t n) {
  if (n <= kRankSortMax) {
    double k[kRankSortMax];
    bool nan = false;
    for (int64_t p = 0; p < n; ++p) k[p] = key[idx[p]], nan |= k[p] != k[p];
    if (!nan) {  // rank of p: keys below it, and equal keys before it
      int sorted[kRankSortMax];
      for (int64_t p = 0; p < n; ++p) {
        int rank = 0;
        for (int64_t q = 0; q < p; ++q) rank += k[q] <= k[p];
        for (int64_t q = p + 1; q < n; ++q) rank += k[q] < k[p];
        sorted[rank] = idx[p];
      }
      std::copy(sorted, sorted + n, idx);
      return;
    }
  }
  for (int64_t i = 1; i < n; ++i) {
    const int v = idx[i];
    int64_t j = i;
    for (; j > 0 && key[idx[j - 1]] > key[v]; --j) idx[j] = idx[j - 1];
    idx[j] = v;
  }
}

void stable_order(const double* key, int* idx, int64_t n) {
  for (int64_t i = 0; i < n; ++i) idx[i] = static_cast<int>(i);
  sort_indices(key, idx, n);
}

/// The rotation R(u) [3×3, row-major] taking the unit vector u onto +x (Rodrigues, about u × x):
/// R = [[ux, uy, uz], [−uy, 1 − s uy², −s uy uz], [−uz, −s uy uz, 1 − s uz²]], s = 1/(1 + ux); the
/// half-turn about z where u = −x. Returns false there (the map jumps; no gradient through R).
bool rotation_onto_x(const double* u, double* R) {
  if (1 + u[0] <= 1e-12) {
    const double half_turn[9] = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
    std::copy(half_turn, half_turn + 9, R);
    return false;
  }
  const double s = 1 / (1 + u[0]);
  const double rot[9] = {u[0], u[1], u[2], -u[1], 1 - s * u[1] * u[1], -s * u[1] * u[2],
                         -u[2], -s * u[1] * u[2], 1 - s * u[2] * u[2]};
  std::copy(rot, rot + 9, R);
  return true;
}
}  // namespace

void ParticleInvariant::forward_canonical3(const double* x, double* f, double* scratch) const {
  const int64_t P = P_;
  double c[3] = {0, 0, 0}, r2[kMaxParticles];
  int order[kMaxParticles];
  for (int64_t i = 0; i < P; ++i)
    for (int a = 0; a < 3; ++a) c[a] += x[3 * i + a] / static_cast<double>(P);
  for (int64_t i = 0; i < P; ++i) {
    r2[i] = 0;
    for (int a = 0; a < 3; ++a) r2[i] += (x[3 * i + a] - c[a]) * (x[3 * i + a] - c[a]);
  }
  stable_order(r2, order, P);
  const int far = order[P - 1];
  const double r = std::sqrt(r2[far]);
  double u[3] = {1, 0, 0}, R[9];
  if (r > 0)
    for (int a = 0; a < 3; ++a) u[a] = (x[3 * far + a] - c[a]) / r;
  rotation_onto_x(u, R);
  for (int64_t k = 0; k < P; ++k) {  // z_k = R y_order[k]
    const double* xi = x + 3 * order[k];
    const double y[3] = {xi[0] - c[0], xi[1] - c[1], xi[2] - c[2]};
    for (int a = 0; a < 3; ++a) f[3 * k + a] = R[3 * a] * y[0] + R[3 * a + 1] * y[1] + R[3 * a + 2] * y[2];
    scratch[k] = order[k];
  }
  std::copy(R, R + 9, scratch + P);
  std::copy(u, u + 3, scratch + P + 9);
  scratch[P + 12] = r;
}

void ParticleInvariant::backward_canonical3(const double* x, const double* gf, const double* scratch, double* gx) const {
  const int64_t P = P_;
  double c[3] = {0, 0, 0}, A[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};  // A = Σ_k g_k y_kᵀ = ∂L/∂R
  for (int64_t i = 0; i < P; ++i)
    for (int a = 0; a < 3; ++a) c[a] += x[3 * i + a] / static_cast<double>(P);
  const double* R = scratch + P;
  const double* u = scratch + P + 9;
  const double r = scratch[P + 12];
  for (int64_t k = 0; k < P; ++k) {
    const int i = static_cast<int>(scratch[k]);
    const double y[3] = {x[3 * i] - c[0], x[3 * i + 1] - c[1], x[3 * i + 2] - c[2]};
    const double* g = gf + 3 * k;
    for (int a = 0; a < 3; ++a) {
      gx[3 * i + a] += R[a] * g[0] + R[3 + a] * g[1] + R[6 + a] * g[2];  // Rᵀ g
      for (int b = 0; b < 3; ++b) A[3 * a + b] += g[a] * y[b];
    }
  }
  if (r > 0 && 1 + u[0] > 1e-12) {  // ∂⟨A, R(u)⟩/∂u, projected onto the sphere's tangent (u = y_far/r)
    const double s = 1 / (1 + u[0]), a12 = A[5] + A[7];
    const double gu[3] = {A[0] + s * s * (A[4] * u[1] * u[1] + A[8] * u[2] * u[2] + a12 * u[1] * u[2]),
                          A[1] - A[3] - 2 * s * A[4] * u[1] - a12 * s * u[2],
                          A[2] - A[6] - 2 * s * A[8] * u[2] - a12 * s * u[1]};
    const double radial = gu[0] * u[0] + gu[1] * u[1] + gu[2] * u[2];
    const int far = static_cast<int>(scratch[P - 1]);
    for (int a = 0; a < 3; ++a) gx[3 * far + a] += (gu[a] - radial * u[a]) / r;
  }
  double m[3] = {0, 0, 0};  // the centring: subtract the mean gradient
  for (int64_t i = 0; i < P; ++i)
    for (int a = 0; a < 3; ++a) m[a] += gx[3 * i + a] / static_cast<double>(P);
  for (int64_t i = 0; i < P; ++i)
    for (int a = 0; a < 3; ++a) gx[3 * i + a] -= m[a];
}

void ParticleInvariant::forward(const double* x, double* f, double* scratch) const {
  const int64_t P = P_, d = d_;
  if (kind_ == Kind::kCanonical && d == 3) return forward_canonical3(x, f, scratch);
  if (kind_ == Kind::kCanonical) {
    double cx = 0, cy = 0, r2[kMaxParticles];
    int order[kMaxParticles];
    for (int64_t i = 0; i < P; ++i) cx += x[2 * i], cy += x[2 * i + 1];
    cx /= static_cast<double>(P), cy /= static_cast<double>(P);
    for (int64_t i = 0; i < P; ++i) {
      const double yx = x[2 * i] - cx, yy = x[2 * i + 1] - cy;
      r2[i] = yx * yx + yy * yy;
    }
    stable_order(r2, order, P);
    const int far = order[P - 1];
    const double r = std::sqrt(r2[far]);
    const double c = r > 0 ? (x[2 * far] - cx) / r : 1.0, s = r > 0 ? (x[2 * far + 1] - cy) / r : 0.0;
    for (int64_t k = 0; k < P; ++k) {  // z_k = R(−θ) y_order[k]
      const double yx = x[2 * order[k]] - cx, yy = x[2 * order[k] + 1] - cy;
      f[2 * k] = c * yx + s * yy;
      f[2 * k + 1] = -s * yx + c * yy;
      scratch[k] = order[k];
    }
    scratch[P] = c, scratch[P + 1] = s, scratch[P + 2] = r;
    return;
  }
  const int64_t Q = feature_dim();
  double* dist = scratch + Q;
  int64_t p = 0;
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = i + 1; j < P; ++j, ++p) {
      double r2 = 0;
      for (int64_t k = 0; k < d; ++k) r2 += (x[i * d + k] - x[j * d + k]) * (x[i * d + k] - x[j * d + k]);
      dist[p] = std::sqrt(r2);
    }
  int order[kMaxParticles * (kMaxParticles - 1) / 2];
  std::copy(block_pairs_.begin(), block_pairs_.end(), order);
  for (size_t b = 0; b + 1 < block_start_.size(); ++b)
    sort_indices(dist, order + block_start_[b], block_start_[b + 1] - block_start_[b]);
  for (int64_t k = 0; k < Q; ++k) {
    f[k] = dist[order[k]];
    scratch[k] = order[k];
  }
}

void ParticleInvariant::backward(const double* x, const double* gf, const double* scratch, double* gx) const {
  const int64_t P = P_, d = d_;
  std::fill(gx, gx + P * d, 0.0);
  if (kind_ == Kind::kCanonical && d == 3) return backward_canonical3(x, gf, scratch, gx);
  if (kind_ == Kind::kCanonical) {
    double cx = 0, cy = 0;
    for (int64_t i = 0; i < P; ++i) cx += x[2 * i], cy += x[2 * i + 1];
    cx /= static_cast<double>(P), cy /= static_cast<double>(P);
    const double c = scratch[P], s = scratch[P + 1], r = scratch[P + 2];
    double dtheta = 0;  // dE/dθ = Σ_k g_k · ∂z_k/∂θ with ∂z/∂θ = (z_y, −z_x)
    for (int64_t k = 0; k < P; ++k) {
      const int i = static_cast<int>(scratch[k]);
      const double yx = x[2 * i] - cx, yy = x[2 * i + 1] - cy;
      const double zx = c * yx + s * yy, zy = -s * yx + c * yy;
      const double gx_ = gf[2 * k], gy_ = gf[2 * k + 1];
      dtheta += gx_ * zy - gy_ * zx;
      gx[2 * i] += c * gx_ - s * gy_;  // R(θ) g: the transpose of R(−θ)
      gx[2 * i + 1] += s * gx_ + c * gy_;
    }
    if (r > 0) {  // θ = atan2(y_far): dθ/dy_far = (−y, x)/r²
      const int far = static_cast<int>(scratch[P - 1]);
      const double yx = x[2 * far] - cx, yy = x[2 * far + 1] - cy;
      gx[2 * far] += dtheta * (-yy) / (r * r);
      gx[2 * far + 1] += dtheta * yx / (r * r);
    }
    double mx = 0, my = 0;  // the centring: subtract the mean gradient
    for (int64_t i = 0; i < P; ++i) mx += gx[2 * i], my += gx[2 * i + 1];
    mx /= static_cast<double>(P), my /= static_cast<double>(P);
    for (int64_t i = 0; i < P; ++i) gx[2 * i] -= mx, gx[2 * i + 1] -= my;
    return;
  }
  const int64_t Q = feature_dim();
  const double* dist = scratch + Q;
  for (int64_t k = 0; k < Q; ++k) {
    const int q = static_cast<int>(scratch[k]);
    if (dist[q] == 0) continue;  // coincident particles: take the zero subgradient
    const double w = gf[k] / dist[q];
    const int64_t i = pair_i_[q] * d, j = pair_j_[q] * d;
    for (int64_t a = 0; a < d; ++a) {
      const double g = w * (x[i + a] - x[j + a]);
      gx[i + a] += g;
      gx[j + a] -= g;
    }
  }
}

void ParticleInvariant::check_rows(const torch::Tensor& X) const {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == input_dim(), name(), " map expects rows [N, ", input_dim(), "] (", P_,
              " particles x ", d_, "), got ", X.sizes());
}

torch::Tensor ParticleInvariant::features(const torch::Tensor& X) const {
  check_rows(X);
  auto x = X.to(torch::kCPU, torch::kFloat64).contiguous();
  const int64_t N = x.size(0), D = input_dim(), F = feature_dim();
  auto out = torch::empty({N, F}, x.options());
  std::vector<double> scratch(static_cast<size_t>(scratch_size()));
  const double* xp = x.data_ptr<double>();
  double* fp = out.data_ptr<double>();
  for (int64_t n = 0; n < N; ++n) forward(xp + n * D, fp + n * F, scratch.data());
  return out.to(X.options());
}

torch::Tensor ParticleInvariant::jacobian(const torch::Tensor& X) const {
  check_rows(X);
  auto x = X.to(torch::kCPU, torch::kFloat64).contiguous();
  const int64_t N = x.size(0), D = input_dim(), F = feature_dim();
  auto J = torch::empty({N, F, D}, x.options());
  std::vector<double> scratch(static_cast<size_t>(scratch_size())), f(static_cast<size_t>(F)), e(static_cast<size_t>(F), 0.0);
  for (int64_t n = 0; n < N; ++n) {
    const double* xn = x.data_ptr<double>() + n * D;
    forward(xn, f.data(), scratch.data());
    for (int64_t k = 0; k < F; ++k) {  // row k of J = J_fᵀ e_k
      e[static_cast<size_t>(k)] = 1.0;
      backward(xn, e.data(), scratch.data(), J.data_ptr<double>() + (n * F + k) * D);
      e[static_cast<size_t>(k)] = 0.0;
    }
  }
  return J.to(X.options());
}

torch::Tensor ParticleInvariant::vjp(const torch::Tensor& X, const torch::Tensor& G) const {
  return linearize(X).second(G).to(X.options());
}

std::pair<torch::Tensor, ParticleInvariant::Vjp> ParticleInvariant::linearize(const torch::Tensor& X) const {
  check_rows(X);
  const int64_t N = X.size(0), D = input_dim(), F = feature_dim(), S = scratch_size();
  struct Pass {  // the rows in float64 and what each row's forward left for its backward
    std::vector<double> x, scratch;
  };
  auto pass = std::make_shared<Pass>();
  core::append_as_double(X, pass->x);
  pass->scratch.resize(static_cast<size_t>(N * S));
  auto f = torch::empty({N, F}, torch::kFloat64);
  double* fp = f.data_ptr<double>();
  for (int64_t n = 0; n < N; ++n) forward(pass->x.data() + n * D, fp + n * F, pass->scratch.data() + n * S);
  Vjp vjp = [this, pass, N, D, F, S](const torch::Tensor& G) {
    ESVGD_CHECK(G.dim() == 2 && G.size(0) == N && G.size(1) == F, name(), " vjp expects G [", N, ", ", F, "], got ",
                G.sizes());
    auto g = G.to(torch::kCPU, torch::kFloat64).contiguous();
    auto out = torch::empty({N, D}, torch::kFloat64);
    const double *xp = pass->x.data(), *gp = g.data_ptr<double>();
    double* op = out.data_ptr<double>();
    for (int64_t n = 0; n < N; ++n) {
      // A zero cotangent has a zero gradient: the kernels' rows whose only live pair is the row itself.
      const double* gn = gp + n * F;
      if (std::all_of(gn, gn + F, [](double v) { return v == 0.0; })) std::fill(op + n * D, op + (n + 1) * D, 0.0);
      else backward(xp + n * D, gn, pass->scratch.data() + n * S, op + n * D);
    }
    return out;
  };
  return {f, std::move(vjp)};
}

torch::Tensor ParticleInvariant::features_autograd(const torch::Tensor& X) const {
  check_rows(X);
  const int64_t N = X.size(0);
  auto x = X.view({N, P_, d_});
  if (kind_ == Kind::kCanonical && d_ == 3) {  // generic rows only (no half-turn branch)
    auto y = x - x.mean(1, true);
    auto order = std::get<1>(torch::sort(y.square().sum(2), c10::optional<bool>(true), 1));
    auto ys = y.gather(1, order.unsqueeze(2).expand({N, P_, 3}));
    auto u = ys.select(1, P_ - 1) / ys.select(1, P_ - 1).norm(2, 1, true);
    auto ux = u.select(1, 0), uy = u.select(1, 1), uz = u.select(1, 2), s = 1 / (1 + ux);
    auto R = torch::stack({ux, uy, uz, -uy, 1 - s * uy * uy, -s * uy * uz, -uz, -s * uy * uz, 1 - s * uz * uz}, 1)
                 .view({N, 3, 3});
    return torch::matmul(ys, R.transpose(1, 2)).reshape({N, P_ * 3});
  }
  if (kind_ == Kind::kCanonical) {
    auto y = x - x.mean(1, true);
    auto order = std::get<1>(torch::sort(y.square().sum(2), c10::optional<bool>(true), 1));
    auto ys = y.gather(1, order.unsqueeze(2).expand({N, P_, 2}));
    auto far = ys.select(1, P_ - 1);
    auto r = far.norm(2, 1, true);
    auto safe = r > 0;
    auto c = torch::where(safe, far.select(1, 0).unsqueeze(1) / r.clamp_min(1e-300), torch::ones_like(r));
    auto s = torch::where(safe, far.select(1, 1).unsqueeze(1) / r.clamp_min(1e-300), torch::zeros_like(r));
    auto yx = ys.select(2, 0), yy = ys.select(2, 1);
    return torch::stack({c * yx + s * yy, -s * yx + c * yy}, 2).reshape({N, P_ * 2});
  }
  std::vector<int64_t> ii, jj;
  for (int64_t i = 0; i < P_; ++i)
    for (int64_t j = i + 1; j < P_; ++j) ii.push_back(i), jj.push_back(j);
  auto I = torch::tensor(ii, torch::kLong).to(X.device()), J = torch::tensor(jj, torch::kLong).to(X.device());
  auto dist = (x.index_select(1, I) - x.index_select(1, J)).norm(2, 2);
  std::vector<torch::Tensor> blocks;
  for (size_t b = 0; b + 1 < block_start_.size(); ++b) {
    std::vector<int64_t> pairs(block_pairs_.begin() + block_start_[b], block_pairs_.begin() + block_start_[b + 1]);
    auto block = dist.index_select(1, torch::tensor(pairs, torch::kLong).to(X.device()));
    blocks.push_back(std::get<0>(torch::sort(block, c10::optional<bool>(true), 1)));
  }
  return torch::cat(blocks, 1);
}

}  // namespace esvgd::group
