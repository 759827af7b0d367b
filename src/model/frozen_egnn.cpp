// Compiled with -O3 -fno-trapping-math (CMakeLists.txt), so that the select in sigmoid vectorises.
#include "model/frozen_egnn.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "core/simd.h"
#include "esvgd/core/error.h"

namespace esvgd::model {

namespace {

/// A linear layer y = W x + b with W [out][in], kept also transposed for the forward loops.
struct Dense {
  int64_t in = 0, out = 0;
  std::vector<float> W, Wt, b;  ///< b empty: no bias
};

std::vector<float> values_of(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

Dense dense_of(const torch::Tensor& W, const torch::Tensor& b) {
  Dense d;
  d.out = W.size(0), d.in = W.size(1);
  d.W = values_of(W);
  d.Wt = values_of(W.t());
  if (b.defined()) d.b = values_of(b);
  return d;
}

}  // namespace

struct FrozenEgnnWeights {
  struct Layer {
    Dense a, b;             ///< edge1 split: A_i = W_a h_i + b1, B_j = W_b h_j
    std::vector<float> wc;  ///< edge1's column for d²_ij [H]
    std::vector<float> Rt;  ///< radial features → H, transposed: [K][H] (empty without them)
    Dense edge2, node1h, node1a, node2;
    std::vector<float> watt;  ///< attention weights [H] (empty: no attention)
    float batt = 0;
  };
  int64_t P = 0, H = 0, K = 0;
  bool log1p_head = true;
  float width = 1, core = 0;
  std::vector<float> h0, centres;  ///< embed(node features) [P][H]; radial centres [K]
  std::vector<Layer> layers;
  Dense dec1, dec2, graph1, graph2;
};

namespace {

using Weights = FrozenEgnnWeights;

ESVGD_INLINE float sigmoid(float z) {
  const float e = simd::exp_nonpositive<float>(-std::fabs(z)), r = 1.0f / (1.0f + e);
  return z >= 0 ? r : e * r;
}
ESVGD_INLINE float silu_grad(float z, float s) { return s * (1 + z * (1 - s)); }

/// Σ_c a[c] b[c] with 16 partial sums (GCC leaves `omp simd` float reductions scalar here).
ESVGD_INLINE float dot(const float* a, const float* b, int64_t n) {
  constexpr int64_t W = 16;
  float part[W] = {};
  int64_t c = 0;
  for (; c + W <= n; c += W)
#pragma omp simd
    for (int64_t w = 0; w < W; ++w) part[w] += a[c + w] * b[c + w];
  float sum = 0;
  for (; c < n; ++c) sum += a[c] * b[c];
  for (int64_t w = 0; w < W; ++w) sum += part[w];
  return sum;
}

/// Y[r] (+)= X[r] M (+ b) for r < rows, X [rows][in], M [in][out], Y [rows][out]: blocks of 4 rows ×
/// 32 columns accumulate in registers over k (adding into Y in memory at every k would chain each
/// step to the previous one's store).
ESVGD_INLINE void matmul(const float* X, int64_t rows, int64_t in, const float* M, int64_t out, const float* b,
                         bool add, float* Y) {
  constexpr int64_t R = 4, C = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += R)
    for (int64_t c0 = 0; c0 < out; c0 += C) {
      const int64_t nr = std::min(R, rows - r0), nc = std::min(C, out - c0);
      float acc[R][C];
      for (int64_t r = 0; r < R; ++r)
#pragma omp simd
        for (int64_t c = 0; c < C; ++c)
          acc[r][c] = (r < nr && c < nc) ? (add ? Y[(r0 + r) * out + c0 + c] : 0.0f) + (b ? b[c0 + c] : 0.0f) : 0.0f;
      if (nc == C) {
        const float* x[R];  // rows past the end repeat the last one; their sums are not stored
        for (int64_t r = 0; r < R; ++r) x[r] = X + (r0 + std::min(r, nr - 1)) * in;
        for (int64_t k = 0; k < in; ++k) {
          const float* m = M + k * out + c0;
          for (int64_t r = 0; r < R; ++r) {
            const float xk = x[r][k];
#pragma omp simd
            for (int64_t c = 0; c < C; ++c) acc[r][c] += xk * m[c];
          }
        }
      } else {  // the last columns when out is not a multiple of C
        for (int64_t k = 0; k < in; ++k)
          for (int64_t r = 0; r < nr; ++r)
            for (int64_t c = 0; c < nc; ++c) acc[r][c] += X[(r0 + r) * in + k] * M[k * out + c0 + c];
      }
      for (int64_t r = 0; r < nr; ++r)
        for (int64_t c = 0; c < nc; ++c) Y[(r0 + r) * out + c0 + c] = acc[r][c];
    }
}

/// Y[r] = X[r] Wᵀ + b (or Y[r] += ... with add) for r < rows; X [rows][in], Y [rows][out].
ESVGD_INLINE void forward(const Dense& d, const float* X, int64_t rows, float* Y, bool add = false) {
  matmul(X, rows, d.in, d.Wt.data(), d.out, d.b.empty() ? nullptr : d.b.data(), add, Y);
}

/// Y[r] += G[r] W for r < rows (the input gradient); G [rows][out], Y [rows][in].
ESVGD_INLINE void backward(const Dense& d, const float* G, int64_t rows, float* Y) {
  matmul(G, rows, d.out, d.W.data(), d.in, nullptr, true, Y);
}

/// s = σ(z) and y = z σ(z) over n values.
ESVGD_INLINE void silu(const float* z, int64_t n, float* s, float* y) {
#pragma omp simd
  for (int64_t e = 0; e < n; ++e) {
    s[e] = sigmoid(z[e]);
    y[e] = z[e] * s[e];
  }
}

/// The edges are the ordered pairs (i, j), i ≠ j (the self-edge is masked out of every sum), in
/// row order: edge(i, j) = i (P − 1) + j − [j > i].
ESVGD_INLINE int64_t edge(int64_t i, int64_t j, int64_t P) { return i * (P - 1) + j - (j > i); }

/// One thread's buffers for one molecule (E = P(P − 1) edges; per layer what the backward pass reads).
struct Scratch {
  std::vector<float> d2, d, rbf, gd2, grbf;
  std::vector<float> hin, pre, spre, z2, sz2, m2, gate, u, su;  // per layer
  std::vector<float> h, A, B, msg, gpre, agg, v;                // msg: m₁, then dE/dz₂
  std::vector<float> a1, sa1, q, pooled, r1, sr1, t;            // decoder
  std::vector<float> gh, ghin, gu, gv, gagg, gA, gB, gq, ga1, gr, gpooled;
  explicit Scratch(const Weights& w) {
    const size_t P = w.P, H = w.H, K = w.K, E = P * (P - 1), L = w.layers.size();
    for (auto* b : {&d2, &d, &gd2}) b->resize(E);
    for (auto* b : {&rbf, &grbf}) b->resize(E * K);
    for (auto* b : {&pre, &spre, &z2, &sz2, &m2}) b->resize(L * E * H);
    gate.resize(L * E);
    for (auto* b : {&hin, &u, &su}) b->resize(L * P * H);
    msg.resize(E * H);
    gpre.resize(E * H);
    for (auto* b : {&h, &A, &B, &agg, &v, &a1, &sa1, &q, &gh, &ghin, &gu, &gv, &gagg, &gA, &gB, &ga1}) b->resize(P * H);
    for (auto* b : {&pooled, &r1, &sr1, &t, &gq, &gr, &gpooled}) b->resize(H);
  }
};

/// Pair distances of one molecule x [P][3], as EgnnEnergyImpl takes them (d shifted off 0 for the
/// radial basis and the core), and the radial basis.
ESVGD_INLINE void distances(const Weights& w, const float* x, Scratch& s) {
  const int64_t P = w.P, K = w.K, E = P * (P - 1);
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = 0; j < P; ++j) {
      if (j == i) continue;
      float d2 = 0;
      for (int c = 0; c < 3; ++c) d2 += (x[i * 3 + c] - x[j * 3 + c]) * (x[i * 3 + c] - x[j * 3 + c]);
      s.d2[edge(i, j, P)] = d2;
      s.d[edge(i, j, P)] = std::sqrt(d2 + 1e-8f);
    }
  for (int64_t e = 0; e < E; ++e)
    for (int64_t k = 0; k < K; ++k) {
      const float off = s.d[e] - w.centres[k];
      s.rbf[e * K + k] = simd::exp_nonpositive<float>(-off * off / (2 * w.width * w.width));
    }
}

/// Layer l: h ← h + φ_h(h, Σ_{j≠i} m_ij), keeping what the backward pass reads.
ESVGD_INLINE void forward_layer(const Weights& w, size_t l, Scratch& s) {
  const int64_t P = w.P, H = w.H, K = w.K, E = P * (P - 1);
  const auto& L = w.layers[l];
  float *hin = s.hin.data() + l * P * H, *pre = s.pre.data() + l * E * H, *spre = s.spre.data() + l * E * H;
  float *z2 = s.z2.data() + l * E * H, *sz2 = s.sz2.data() + l * E * H, *m2 = s.m2.data() + l * E * H;
  float *gate = s.gate.data() + l * E, *u = s.u.data() + l * P * H, *su = s.su.data() + l * P * H;
  std::copy(s.h.begin(), s.h.end(), hin);
  forward(L.a, hin, P, s.A.data());
  forward(L.b, hin, P, s.B.data());
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = 0; j < P; ++j) {
      if (j == i) continue;
      const int64_t e = edge(i, j, P);
      float* p = pre + e * H;
      const float* a = s.A.data() + i * H;
      const float* b = s.B.data() + j * H;
      const float d2 = s.d2[e];
#pragma omp simd
      for (int64_t c = 0; c < H; ++c) p[c] = a[c] + b[c] + d2 * L.wc[c];
      for (int64_t k = 0; k < K; ++k) {
        const float r = s.rbf[e * K + k];
#pragma omp simd
        for (int64_t c = 0; c < H; ++c) p[c] += r * L.Rt[k * H + c];
      }
    }
  silu(pre, E * H, spre, s.msg.data());
  forward(L.edge2, s.msg.data(), E, z2);
  silu(z2, E * H, sz2, m2);
  std::fill(s.agg.begin(), s.agg.end(), 0.0f);
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = 0; j < P; ++j) {
      if (j == i) continue;
      const int64_t e = edge(i, j, P);
      const float* m = m2 + e * H;
      float g = 1;
      if (!L.watt.empty()) g = gate[e] = sigmoid(L.batt + dot(L.watt.data(), m, H));
      float* agg = s.agg.data() + i * H;
#pragma omp simd
      for (int64_t c = 0; c < H; ++c) agg[c] += g * m[c];
    }
  forward(L.node1h, hin, P, u);
  forward(L.node1a, s.agg.data(), P, u, true);
  silu(u, P * H, su, s.v.data());
  forward(L.node2, s.v.data(), P, s.h.data(), true);  // h ← h + node2(silu(u))
}

/// o = φ_g(Σ_i φ_d(h_i)).
ESVGD_INLINE float readout(const Weights& w, Scratch& s) {
  const int64_t P = w.P, H = w.H;
  forward(w.dec1, s.h.data(), P, s.a1.data());
  silu(s.a1.data(), P * H, s.sa1.data(), s.v.data());
  forward(w.dec2, s.v.data(), P, s.q.data());
  std::fill(s.pooled.begin(), s.pooled.end(), 0.0f);
  for (int64_t i = 0; i < P; ++i)
    for (int64_t c = 0; c < H; ++c) s.pooled[c] += s.q[i * H + c];
  forward(w.graph1, s.pooled.data(), 1, s.r1.data());
  silu(s.r1.data(), H, s.sr1.data(), s.t.data());
  float o = w.graph2.b.empty() ? 0 : w.graph2.b[0];
  for (int64_t c = 0; c < H; ++c) o += w.graph2.W[c] * s.t[c];
  return o;
}

/// dE/dh [P][H] into s.gh from dE/do.
ESVGD_INLINE void readout_backward(const Weights& w, float o, Scratch& s) {
  const int64_t P = w.P, H = w.H;
  const float g_o = w.log1p_head ? 2 * o / (1 + o * o) : 1.0f;
  for (int64_t c = 0; c < H; ++c) s.gr[c] = g_o * w.graph2.W[c] * silu_grad(s.r1[c], s.sr1[c]);
  std::fill(s.gpooled.begin(), s.gpooled.end(), 0.0f);
  backward(w.graph1, s.gr.data(), 1, s.gpooled.data());
  std::fill(s.gq.begin(), s.gq.end(), 0.0f);
  backward(w.dec2, s.gpooled.data(), 1, s.gq.data());  // the same for every atom (sum pooling)
  for (int64_t i = 0; i < P; ++i)
    for (int64_t c = 0; c < H; ++c) s.ga1[i * H + c] = s.gq[c] * silu_grad(s.a1[i * H + c], s.sa1[i * H + c]);
  std::fill(s.gh.begin(), s.gh.end(), 0.0f);
  backward(w.dec1, s.ga1.data(), P, s.gh.data());
}

/// Back through layer l: s.gh from dE/dh_out to dE/dh_in; adds dE/dd² (and dE/drbf) of its edges.
ESVGD_INLINE void backward_layer(const Weights& w, size_t l, Scratch& s) {
  const int64_t P = w.P, H = w.H, K = w.K, E = P * (P - 1);
  const auto& L = w.layers[l];
  const float *pre = s.pre.data() + l * E * H, *spre = s.spre.data() + l * E * H;
  const float *z2 = s.z2.data() + l * E * H, *sz2 = s.sz2.data() + l * E * H, *m2 = s.m2.data() + l * E * H;
  const float *gate = s.gate.data() + l * E, *u = s.u.data() + l * P * H, *su = s.su.data() + l * P * H;
  // h_out = h + node2(silu(node1h h + node1a agg)).
  std::fill(s.gv.begin(), s.gv.end(), 0.0f);
  backward(L.node2, s.gh.data(), P, s.gv.data());
  for (int64_t e = 0; e < P * H; ++e) s.gu[e] = s.gv[e] * silu_grad(u[e], su[e]);
  std::copy(s.gh.begin(), s.gh.end(), s.ghin.begin());
  backward(L.node1h, s.gu.data(), P, s.ghin.data());
  std::fill(s.gagg.begin(), s.gagg.end(), 0.0f);
  backward(L.node1a, s.gu.data(), P, s.gagg.data());
  // dE/dm_ij = dE/dagg_i (j ≠ i), through the gate m = m₂ σ(w·m₂ + b) and the second SiLU: dE/dz₂.
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = 0; j < P; ++j) {
      if (j == i) continue;
      const int64_t e = edge(i, j, P);
      float* gz = s.msg.data() + e * H;
      const float* gm = s.gagg.data() + i * H;
      const float* m = m2 + e * H;
      const float *z = z2 + e * H, *sz = sz2 + e * H;
      if (L.watt.empty()) {
#pragma omp simd
        for (int64_t c = 0; c < H; ++c) gz[c] = gm[c] * silu_grad(z[c], sz[c]);
      } else {
        const float g = gate[e], coef = dot(gm, m, H) * g * (1 - g);
#pragma omp simd
        for (int64_t c = 0; c < H; ++c) gz[c] = (gm[c] * g + coef * L.watt[c]) * silu_grad(z[c], sz[c]);
      }
    }
  // dE/dpre = (dE/dz₂ W₂) silu'(pre); then its three consumers: d²_ij (and the radial features),
  // A_i and B_j.
  std::fill(s.gpre.begin(), s.gpre.end(), 0.0f);
  backward(L.edge2, s.msg.data(), E, s.gpre.data());
  std::fill(s.gA.begin(), s.gA.end(), 0.0f);
  std::fill(s.gB.begin(), s.gB.end(), 0.0f);
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = 0; j < P; ++j) {
      if (j == i) continue;
      const int64_t e = edge(i, j, P);
      float* gp = s.gpre.data() + e * H;
      const float *p = pre + e * H, *sp = spre + e * H;
      float *gA = s.gA.data() + i * H, *gB = s.gB.data() + j * H;
#pragma omp simd
      for (int64_t c = 0; c < H; ++c) gp[c] *= silu_grad(p[c], sp[c]);
      s.gd2[e] += dot(gp, L.wc.data(), H);
#pragma omp simd
      for (int64_t c = 0; c < H; ++c) gA[c] += gp[c];
#pragma omp simd
      for (int64_t c = 0; c < H; ++c) gB[c] += gp[c];
      for (int64_t k = 0; k < K; ++k) s.grbf[e * K + k] += dot(gp, L.Rt.data() + k * H, H);
    }
  std::copy(s.ghin.begin(), s.ghin.end(), s.gh.begin());
  backward(L.a, s.gA.data(), P, s.gh.data());
  backward(L.b, s.gB.data(), P, s.gh.data());
}

/// −dE/dx [P][3] into s_out from dE/dd² (and dE/drbf).
ESVGD_INLINE void coordinates_gradient(const Weights& w, const float* x, Scratch& s, float* s_out) {
  const int64_t P = w.P, K = w.K, E = P * (P - 1);
  // The radial basis exp(−(d − μ)²/(2w²)) and the hard core (κ/2) Σ_{i≠j} max(0, r₀ − d)², both through
  // d = √(d² + 1e-8): dd/dd² = 1/(2d).
  for (int64_t e = 0; e < E; ++e) {
    float gd = 0;
    for (int64_t k = 0; k < K; ++k)
      gd -= s.grbf[e * K + k] * s.rbf[e * K + k] * (s.d[e] - w.centres[k]) / (w.width * w.width);
    if (w.core > 0) gd -= kCoreStiffness * std::max(0.0f, w.core - s.d[e]);
    s.gd2[e] += gd / (2 * s.d[e]);
  }
  // d²_ij and d²_ji both move x_i: dE/dx_i = 2 Σ_j (dE/dd²_ij + dE/dd²_ji)(x_i − x_j).
  for (int64_t i = 0; i < P; ++i) {
    float g[3] = {0, 0, 0};
    for (int64_t j = 0; j < P; ++j) {
      if (j == i) continue;
      const float gij = s.gd2[edge(i, j, P)] + s.gd2[edge(j, i, P)];
      for (int c = 0; c < 3; ++c) g[c] += gij * (x[i * 3 + c] - x[j * 3 + c]);
    }
    for (int c = 0; c < 3; ++c) s_out[i * 3 + c] = -2 * g[c];
  }
}

/// −∇_x E of one molecule x [P][3] into s_out [P][3].
ESVGD_INLINE void molecule_score(const Weights& w, const float* x, Scratch& s, float* s_out) {
  distances(w, x, s);
  std::copy(w.h0.begin(), w.h0.end(), s.h.begin());
  for (size_t l = 0; l < w.layers.size(); ++l) forward_layer(w, l, s);
  readout_backward(w, readout(w, s), s);
  std::fill(s.gd2.begin(), s.gd2.end(), 0.0f);
  std::fill(s.grbf.begin(), s.grbf.end(), 0.0f);
  for (size_t l = w.layers.size(); l-- > 0;) backward_layer(w, l, s);
  coordinates_gradient(w, x, s, s_out);
}

ESVGD_SIMD_CLONES void molecules_score(const Weights& w, const float* x, int64_t n0, int64_t n1, float* out) {
  Scratch s(w);
  const int64_t D = 3 * w.P;
  for (int64_t n = n0; n < n1; ++n) molecule_score(w, x + n * D, s, out + n * D);
}

}  // namespace

FrozenEgnn::FrozenEgnn(const EgnnEnergyImpl& net, double sigma) {
  torch::NoGradGuard no_grad;
  const auto& o = net.options();
  const auto params = net.named_parameters();
  auto get = [&](const std::string& name) {
    const auto* t = params.find(name);
    return t == nullptr ? torch::Tensor() : *t;
  };
  auto dense = [&](const std::string& name) { return dense_of(get(name + ".weight"), get(name + ".bias")); };
  auto w = std::make_unique<Weights>();
  const auto buffers = net.named_buffers();
  w->P = net.atoms(), w->H = o.hidden(), w->K = o.distance_features();
  w->log1p_head = o.head() == Head::kLog1pSquare;
  w->width = static_cast<float>(o.distance_cutoff() / static_cast<double>(std::max<int64_t>(w->K - 1, 1)));
  w->core = static_cast<float>(o.core_radius());
  auto features = buffers["node_features"].to(torch::kCPU, torch::kFloat32);
  ESVGD_CHECK(!o.noise_conditional() || sigma > 0, "a noise-conditional EGNN is frozen at a level sigma > 0, got ", sigma);
  if (o.noise_conditional())
    features = torch::cat({features, torch::full({features.size(0), 1}, std::log(sigma), features.options())}, 1);
  w->h0 = values_of(at::linear(features, get("embed.weight").to(torch::kCPU), get("embed.bias").to(torch::kCPU)));
  w->centres = values_of(buffers["rbf_centres"]);
  const int64_t H = w->H;
  for (int64_t l = 0; l < o.layers(); ++l) {
    const std::string name = "layer" + std::to_string(l);
    const auto edge1 = get(name + ".edge1.weight"), node1 = get(name + ".node1.weight");
    Weights::Layer L;
    L.a = dense_of(edge1.narrow(1, 0, H), get(name + ".edge1.bias"));
    L.b = dense_of(edge1.narrow(1, H, H), torch::Tensor());
    L.wc = values_of(edge1.select(1, 2 * H));
    if (get(name + ".radial.weight").defined()) L.Rt = values_of(get(name + ".radial.weight").t());
    L.edge2 = dense(name + ".edge2");
    L.node1h = dense_of(node1.narrow(1, 0, H), get(name + ".node1.bias"));
    L.node1a = dense_of(node1.narrow(1, H, H), torch::Tensor());
    L.node2 = dense(name + ".node2");
    if (o.attention()) {
      L.watt = values_of(get(name + ".att.weight"));
      L.batt = get(name + ".att.bias").item<float>();
    }
    w->layers.push_back(std::move(L));
  }
  w->dec1 = dense("dec1"), w->dec2 = dense("dec2"), w->graph1 = dense("graph1");
  const double scale = o.noise_conditional() ? 1.0 / sigma : 1.0;  // E = o/σ (the core stays unscaled)
  w->graph2 = dense_of(get("graph2.weight") * scale, get("graph2.bias") * scale);
  w_ = std::move(w);
}

FrozenEgnn::~FrozenEgnn() = default;

torch::Tensor FrozenEgnn::score(const torch::Tensor& X) const {
  const int64_t P = w_->P;
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == 3 * P, "the EGNN energy expects rows [N, ", 3 * P, "] (", P,
              " atoms x 3), got ", X.sizes());
  ESVGD_CHECK(X.device().is_cpu(), "the frozen EGNN score runs on the CPU; got ", X.device());
  const int64_t N = X.size(0);
  auto x = X.to(torch::kFloat32).contiguous();
  auto out = torch::empty({N, 3 * P}, torch::kFloat32);
  const float* xp = x.data_ptr<float>();
  float* op = out.data_ptr<float>();
  at::parallel_for(0, N, 1, [&](int64_t n0, int64_t n1) { molecules_score(*w_, xp, n0, n1, op); });
  return out.to(X.scalar_type());
}

}  // namespace esvgd::model
