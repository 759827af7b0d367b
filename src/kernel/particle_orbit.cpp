#include "esvgd/kernel/particle_orbit.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include <ATen/Parallel.h>
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/kernel/rbf.h"

namespace esvgd::kernel {

namespace {

// ---- scaled modified Bessel functions I₀ₑ, I₁ₑ ----------------------------------------------------
//
// Fixed-length polynomials, so that the element loop has no data-dependent branches or loop counts:
// below u = 20, I₀(u) and I₁(u)/u on unit pieces [p, p + 1) (13 terms in δ = u − p − ½); above, the
// smooth g_ν(t) = √(2πu) e^{−u} I_ν(u) of t = 1/u ∈ (0, 1/20] (12 terms; g_ν(0) = 1). The coefficients
// are Chebyshev interpolants formed once in long double from the defining series, then truncated
// (truncation and rounding: ~3e-16 relative).

constexpr int kPieces = 20;  // u below kPieces: unit pieces, above: the t = 1/u expansion
constexpr int kPieceTerms = 13;
constexpr int kTailTerms = 12;

/// (ν = 0, ν = 1) in the two lanes of one vector, so that both functions cost one polynomial.
typedef double Lanes __attribute__((vector_size(16)));

struct BesselTables {
  Lanes piece[kPieces][kPieceTerms];  // (I₀(u), I₁(u)/u) in δ = u − p − ½
  Lanes tail[kTailTerms];             // (g₀, g₁) in x = 2·kPieces·t − 1 ∈ (−1, 1]
};

using Real = long double;

/// I₀(u) (nu = 0) or I₁(u)/u (nu = 1) by the power series Σ q^k/(k!(k+ν)!) / 2^ν, q = u²/4: all
/// terms positive, so accurate to long double rounding.
Real reference_series(int nu, Real u) {
  const Real q = u * u / 4;
  Real term = nu ? 0.5L : 1.0L, sum = term;
  for (int k = 1; k < 1000 && term > 1e-24L * sum; ++k) {
    term *= q / (static_cast<Real>(k) * (k + nu));
    sum += term;
  }
  return sum;
}

/// g_ν(t) = √(2πu) e^{−u} I_ν(u), u = 1/t: the series below u = 60, else Hankel's expansion cut at its
/// smallest term (error ~e^{−2u} < 1e-50).
Real reference_tail(int nu, Real t) {
  if (t == 0) return 1;
  const Real u = 1 / t;
  if (u < 60) return std::sqrt(2 * static_cast<Real>(M_PI) * u) * std::exp(-u) * reference_series(nu, u) * (nu ? u : 1);
  Real term = 1, sum = 1;
  for (int k = 1; k < 1000; ++k) {
    const Real odd = 2 * k - 1, next = term * (odd * odd - 4 * nu * nu) / (8 * k) * t;
    if (std::abs(next) >= std::abs(term) || std::abs(next) < 1e-30L) break;
    term = next;
    sum += term;
  }
  return sum;
}

/// Chebyshev interpolant of f on [−1, 1] at 32 nodes, truncated to n ≤ 32 terms, as monomial
/// coefficients m_k (f(x) ≈ Σ m_k x^k), scaled by s^k so that the polynomial is in x/s.
template <class F>
void chebyshev_monomials(F&& f, int n, Real s, double* out) {
  constexpr int kNodes = 32;
  Real fx[kNodes], cheb[kNodes];
  for (int j = 0; j < kNodes; ++j) fx[j] = f(std::cos(static_cast<Real>(M_PI) * (j + 0.5L) / kNodes));
  for (int k = 0; k < n; ++k) {
    Real sum = 0;
    for (int j = 0; j < kNodes; ++j) sum += fx[j] * std::cos(static_cast<Real>(M_PI) * k * (j + 0.5L) / kNodes);
    cheb[k] = (k == 0 ? 1.0L : 2.0L) * sum / kNodes;
  }
  // Σ c_k T_k in powers of x, with T_{k+1} = 2x T_k − T_{k−1} on coefficient arrays.
  Real mono[kNodes] = {}, prev[kNodes] = {}, cur[kNodes] = {}, next[kNodes];
  prev[0] = 1;  // T_0
  cur[1] = 1;   // T_1
  mono[0] = cheb[0];
  for (int k = 1; k < n; ++k) {
    for (int i = 0; i < n; ++i) mono[i] += cheb[k] * cur[i];
    for (int i = 0; i < n; ++i) next[i] = (i > 0 ? 2 * cur[i - 1] : 0) - prev[i];
    std::copy(cur, cur + n, prev);
    std::copy(next, next + n, cur);
  }
  Real scale = 1;
  for (int i = 0; i < n; ++i, scale *= s) out[i] = static_cast<double>(mono[i] * scale);
}

BesselTables make_bessel_tables() {
  BesselTables t{};
  double c[2][kPieceTerms];
  for (int p = 0; p < kPieces; ++p) {
    for (int nu = 0; nu < 2; ++nu)  // x = 2δ on the piece, so the powers of δ carry 2^k
      chebyshev_monomials([&](Real x) { return reference_series(nu, p + 0.5L + x / 2); }, kPieceTerms, 2, c[nu]);
    for (int k = 0; k < kPieceTerms; ++k) t.piece[p][k] = Lanes{c[0][k], c[1][k]};
  }
  for (int nu = 0; nu < 2; ++nu)
    chebyshev_monomials([&](Real x) { return reference_tail(nu, (x + 1) / (2 * kPieces)); }, kTailTerms, 1, c[nu]);
  for (int k = 0; k < kTailTerms; ++k) t.tail[k] = Lanes{c[0][k], c[1][k]};
  return t;
}

/// Built on first use (about 0.1 ms), not at load time.
const BesselTables& bessel_tables() {
  static const BesselTables tables = make_bessel_tables();
  return tables;
}

/// Σ_{k<N} c_k x^k in both lanes by Estrin's scheme, p(x) = low(x) + x^H high(x) with H the largest
/// power of two below N: log₂N dependent multiply-adds instead of Horner's N, so that the
/// polynomials do not dominate the latency of an element. x2[i] = x^(2^i).
template <int N>
struct Estrin {
  static constexpr int H = N <= 2 ? 1 : 2 * Estrin<(N + 1) / 2>::H;
  static constexpr int L = N <= 2 ? 0 : 1 + Estrin<(N + 1) / 2>::L;  // x^H = x2[L]
  static Lanes eval(const Lanes* c, const Lanes* x2) {
    return Estrin<H>::eval(c, x2) + x2[L] * Estrin<N - H>::eval(c + H, x2);
  }
};
template <>
struct Estrin<1> {
  static constexpr int H = 1, L = 0;
  static Lanes eval(const Lanes* c, const Lanes*) { return c[0]; }
};

template <int N>
inline Lanes poly(const Lanes* c, double x) {
  Lanes x2[4] = {{x, x}};
  for (int i = 1; i < 4; ++i) x2[i] = x2[i - 1] * x2[i - 1];
  static_assert(N <= 16, "x2 holds x^(2^i) up to x^8");
  return Estrin<N>::eval(c, x2);
}

/// Unscaled (I₀(u), I₁(u)) for 0 ≤ u < kPieces.
inline Lanes bessel_small(const BesselTables& t, double u) {
  const int p = static_cast<int>(u);
  return poly<kPieceTerms>(t.piece[p], u - (p + 0.5)) * Lanes{1.0, u};
}

/// (g₀, g₁) at t = 1/u ≤ 1/kPieces: e^{−u} I_ν(u) = g_ν / √(2πu).
inline Lanes bessel_tail(const BesselTables& t, double inv_u) {
  return poly<kTailTerms>(t.tail, 2 * kPieces * inv_u - 1);
}

/// (e^{−u} I₀(u), e^{−u} I₁(u)).
Lanes scaled_bessel(double u) {
  const BesselTables& t = bessel_tables();
  if (u < kPieces) return bessel_small(t, u) * std::exp(-u);
  return bessel_tail(t, 1 / u) / std::sqrt(2 * M_PI * u);
}

// ---- the group's finite part and the per-pair geometry ---------------------------------------------

constexpr double kUnderflow = 745;  // e^{−745} is below the smallest double
// d² = s2 − 2ρ carries an absolute error ~ε·s2, so e^{−d²/(2h²)} a relative one ~ε(u + 745): below
// 4e-13 up to u = 1e3. Above, d² is recomputed from the differences x̃ − R_β z.
constexpr double kExactD2Above = 1e3;

/// Rows of X [n, 2P] (float64, contiguous) minus their mean particle, with |x̃|² and |x̃|.
struct Centred {
  std::vector<double> x, sq, norm;
};

Centred centre(const torch::Tensor& X, int P) {
  const int64_t n = X.size(0), D = 2 * P;
  const double* src = X.data_ptr<double>();
  Centred c;
  c.x.resize(n * D);
  c.sq.resize(n);
  c.norm.resize(n);
  for (int64_t r = 0; r < n; ++r) {
    const double* x = src + r * D;
    double mx = 0, my = 0;
    for (int p = 0; p < P; ++p) {
      mx += x[2 * p];
      my += x[2 * p + 1];
    }
    mx /= P;
    my /= P;
    double sq = 0;
    for (int p = 0; p < P; ++p) {
      const double dx = x[2 * p] - mx, dy = x[2 * p + 1] - my;
      c.x[r * D + 2 * p] = dx;
      c.x[r * D + 2 * p + 1] = dy;
      sq += dx * dx + dy * dy;
    }
    c.sq[r] = sq;
    c.norm[r] = std::sqrt(sq);
  }
  return c;
}

/// Dot and cross products of every particle of x̃ with every particle of ỹ (e = 0) and of F ỹ
/// (e = 1): a and b of an element are sums of P entries, picked by its permutation.
template <int P>
struct PairTables {
  double a[2][P * P], b[2][P * P];

  void fill(const double* x, const double* y, bool reflections) {
    for (int k = 0; k < P; ++k) {
      const double xx = x[2 * k], xy = x[2 * k + 1];
      for (int m = 0; m < P; ++m) {
        const double yx = y[2 * m], yy = y[2 * m + 1];
        a[0][k * P + m] = xx * yx + xy * yy;
        b[0][k * P + m] = xy * yx - xx * yy;
        if (reflections) {
          a[1][k * P + m] = xx * yx - xy * yy;
          b[1][k * P + m] = xy * yx + xx * yy;
        }
      }
    }
  }
};

/// The finite elements h = F^e P_π: the permutations (the same for e = 0 and e = 1) and how many e.
struct Elements {
  const uint8_t* perms;  // [nperm, P]
  int64_t nperm;
  int neps;  // 2 with reflections
  int P;
};

/// |x̃ − R_β z|² with z = F^e P_π ỹ, R_β = (c, s): d² without the cancellation of s2 − 2ρ.
template <int P>
inline double exact_sq_dist(const double* x, const double* y, int e, const uint8_t* pi, double c, double s) {
  const double sign = e ? -1.0 : 1.0;
  double d2 = 0;
  for (int k = 0; k < P; ++k) {
    const double zx = y[2 * pi[k]], zy = sign * y[2 * pi[k] + 1];
    const double dx = x[2 * k] - (c * zx - s * zy), dy = x[2 * k + 1] - (s * zx + c * zy);
    d2 += dx * dx + dy * dy;
  }
  return d2;
}

/// Per-call constants of the element weights.
struct WeightContext {
  const BesselTables& tables;
  Elements H;
  double h2, inv_h2;
  double d2_max;      // 2·745·h²: elements beyond contribute below the smallest double
  double tail_scale;  // h/√(2π): 1/√(2πu) = tail_scale/√ρ

  WeightContext(const Elements& elements, double h)
      : tables(bessel_tables()), H(elements), h2(h * h), inv_h2(1 / (h * h)), d2_max(2 * kUnderflow * h * h),
        tail_scale(h / std::sqrt(2 * M_PI)) {}
};

/// The elements of one pair whose e^{−d²/(2h²)} does not underflow, with their θ integrals. Stages
/// over arrays keep each loop body short and its iterations independent, so that the CPU overlaps
/// the long sqrt–polynomial–exp chains of consecutive elements. Sized |H| once per parallel task.
struct PairElements {
  std::vector<int32_t> id;  // e·nperm + p
  std::vector<double> c, s, u, inv_rho, w0, w1;
  int64_t n = 0;
  explicit PairElements(int64_t H) : id(H), c(H), s(H), u(H), inv_rho(H), w0(H), w1(H) {}

  int reflected(int64_t k, const Elements& H) const { return id[k] >= H.nperm; }
  const uint8_t* perm(int64_t k, const Elements& H) const {
    return H.perms + (id[k] - (id[k] >= H.nperm ? H.nperm : 0)) * H.P;
  }

  /// Keeps the elements with d² = s2 − 2ρ ≤ d2_max; c, s hold a, b and u holds ρ² until weigh().
  template <int P>
  void collect(const PairTables<P>& t, const Elements& H, double s2, double d2_max) {
    const double m = s2 - d2_max;
    const double rho2_min = m > 0 ? 0.25 * m * m : -1;  // ρ² below this ⇔ d² > d2_max (no sqrt needed)
    n = 0;
    for (int e = 0; e < H.neps; ++e) {
      const double* A = t.a[e];
      const double* B = t.b[e];
      for (int64_t p = 0; p < H.nperm; ++p) {
        const uint8_t* pi = H.perms + p * P;
        double a = 0, b = 0;
        for (int k = 0; k < P; ++k) {
          a += A[k * P + pi[k]];
          b += B[k * P + pi[k]];
        }
        id[n] = static_cast<int32_t>(e * H.nperm + p);
        c[n] = a;
        s[n] = b;
        u[n] = a * a + b * b;
        n += !(u[n] < rho2_min);  // branch-free compaction (NaN kept, so that it propagates)
      }
    }
  }

  /// w_ν = e^{−d²/(2h²)} I_νe(u) and R_β = (c, s). pair_exp = e^{−s2/(2h²)} = e^{−d²/(2h²)} e^{−u}, so
  /// below u = 20 the unscaled I_ν need no exponential of their own.
  template <int P>
  void weigh(const WeightContext& ctx, const double* x, const double* y, double s2, double pair_exp) {
    for (int64_t k = 0; k < n; ++k) {  // ρ² → u, (a, b) → (c, s); ρ = 0 has I₁ = 0 and any direction
      const double rho2 = u[k], r = rho2 > 0 ? 1 / std::sqrt(rho2) : 0.0;
      inv_rho[k] = r;
      u[k] = rho2 * r * ctx.inv_h2;
      c[k] = rho2 > 0 ? c[k] * r : 1.0;
      s[k] *= r;
    }
    for (int64_t k = 0; k < n; ++k) {
      if (u[k] < kPieces) {
        const Lanes w = bessel_small(ctx.tables, u[k]) * pair_exp;
        w0[k] = w[0];
        w1[k] = w[1];
      } else {
        const double d2 = u[k] > kExactD2Above ? exact_sq_dist<P>(x, y, reflected(k, ctx.H), perm(k, ctx.H), c[k], s[k])
                                               : std::max(s2 - 2 * u[k] * ctx.h2, 0.0);
        const Lanes w = bessel_tail(ctx.tables, ctx.h2 * inv_rho[k]) *
                        (std::exp(-0.5 * d2 * ctx.inv_h2) * ctx.tail_scale * std::sqrt(inv_rho[k]));
        w0[k] = w[0];
        w1[k] = w[1];
      }
    }
  }
};

/// Fills `el` with the weighed elements of the pair (x̃_i, ỹ_j); false when no element can contribute
/// (ρ ≤ |x̃||z| bounds d² below by (|x̃| − |ỹ|)² for every element).
template <int P>
bool weigh_pair(const WeightContext& ctx, const Centred& xc, int64_t i, const Centred& yc, int64_t j,
                PairTables<P>& t, PairElements& el) {
  const double dr = xc.norm[i] - yc.norm[j];
  if (0.5 * dr * dr * ctx.inv_h2 > kUnderflow) return false;
  const double *x = xc.x.data() + i * 2 * P, *y = yc.x.data() + j * 2 * P;
  const double s2 = xc.sq[i] + yc.sq[j];
  t.fill(x, y, ctx.H.neps == 2);
  el.collect<P>(t, ctx.H, s2, ctx.d2_max);
  el.weigh<P>(ctx, x, y, s2, std::exp(-0.5 * s2 * ctx.inv_h2));
  return true;
}

/// Calls f(std::integral_constant<int, P>) for the runtime P, so that the particle loops unroll.
template <class F>
void with_particles(int64_t P, F&& f) {
  switch (P) {
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 5: return f(std::integral_constant<int, 5>{});
    case 6: return f(std::integral_constant<int, 6>{});
    case 7: return f(std::integral_constant<int, 7>{});
    case 8: return f(std::integral_constant<int, 8>{});
    default: ESVGD_ASSERT(false);
  }
}

/// Rows per parallel task: at least ~1e4 element evaluations each.
int64_t grain(int64_t M, int64_t H) { return std::max<int64_t>(1, 10000 / std::max<int64_t>(1, M * H)); }

}  // namespace

double scaled_bessel_i0(double u) { return scaled_bessel(u)[0]; }

double scaled_bessel_i1(double u) { return scaled_bessel(u)[1]; }

// ---- the kernel ---------------------------------------------------------------------------------------

ParticleOrbitKernel::ParticleOrbitKernel(int64_t num_particles, double bandwidth, bool reflections)
    : Kernel(bandwidth), P_(num_particles), reflections_(reflections) {
  ESVGD_CHECK(num_particles >= 2 && num_particles <= kMaxParticles,
              "the particle orbit kernel needs 2 to ", kMaxParticles, " particles, got P = ", num_particles);
  std::vector<uint8_t> pi(P_);
  std::iota(pi.begin(), pi.end(), 0);
  do perms_.insert(perms_.end(), pi.begin(), pi.end());
  while (std::next_permutation(pi.begin(), pi.end()));
}

std::string ParticleOrbitKernel::name() const {
  return std::string("orbit-matrix(") + (reflections_ ? "O2" : "SO2") + "xS" + std::to_string(P_) + ")";
}

int64_t ParticleOrbitKernel::num_elements() const {
  return static_cast<int64_t>(perms_.size()) / P_ * (reflections_ ? 2 : 1);
}

torch::Tensor ParticleOrbitKernel::checked_points(const torch::Tensor& T, const char* what) const {
  ESVGD_CHECK(T.dim() == 2, name(), ": ", what, " must be [n, D], got ", T.sizes());
  ESVGD_CHECK(T.device().is_cpu(), name(), ": ", what, " must be on the CPU, got ", T.device());
  ESVGD_CHECK(T.scalar_type() == torch::kFloat32 || T.scalar_type() == torch::kFloat64, name(), ": ", what,
              " must be float32 or float64, got ", T.scalar_type());
  const int64_t D = T.size(1);
  ESVGD_CHECK(D % 2 == 0, name(), ": ", what, " has odd D = ", D, "; particles in the plane need D = 2P");
  ESVGD_CHECK(D == 2 * P_, name(), " acts on ", 2 * P_, "-D points (", P_, " particles in the plane), ", what,
              " has D = ", D);
  return T.to(torch::kFloat64).contiguous();
}

torch::Tensor ParticleOrbitKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                       double temperature) const {
  check_phi_args(X, Y, S);
  const auto Xd = checked_points(X, "X"), Yd = checked_points(Y, "Y"), Sd = checked_points(S, "S");
  const int P = static_cast<int>(P_), D = 2 * P;
  const int64_t N = X.size(0), M = Y.size(0);
  const Elements H{perms_.data(), static_cast<int64_t>(perms_.size()) / P_, reflections_ ? 2 : 1, P};
  const WeightContext ctx(H, h_);
  const double rep = temperature * ctx.inv_h2;
  const Centred xc = centre(Xd, P), yc = centre(Yd, P);
  // v_j = s_j − T ỹ_j/h², so that w₁ R_β h v_j holds both the drive and the R_β z repulsion; F v_j for e = 1.
  std::vector<double> V(2 * M * D);
  const double* s = Sd.data_ptr<double>();
  for (int64_t j = 0; j < M; ++j) {
    for (int d = 0; d < D; ++d) {
      const double v = s[j * D + d] - rep * yc.x[j * D + d];
      V[j * D + d] = v;
      V[(M + j) * D + d] = d % 2 ? -v : v;
    }
  }
  auto out = torch::empty({N, D}, torch::kFloat64);
  double* o = out.data_ptr<double>();
  const double scale = 1.0 / (static_cast<double>(M) * num_elements());
  with_particles(P_, [&](auto pc) {
    constexpr int kP = decltype(pc)::value;
    at::parallel_for(0, N, grain(M, num_elements()), [&](int64_t i0, int64_t i1) {
      PairTables<kP> t;
      PairElements el(num_elements());
      for (int64_t i = i0; i < i1; ++i) {
        double acc[2 * kP] = {};
        double sum0 = 0;
        for (int64_t j = 0; j < M; ++j) {
          if (!weigh_pair<kP>(ctx, xc, i, yc, j, t, el)) continue;
          const double* v_e[2] = {V.data() + j * D, V.data() + (M + j) * D};
          for (int64_t q = 0; q < el.n; ++q) {
            sum0 += el.w0[q];
            const double wc = el.w1[q] * el.c[q], ws = el.w1[q] * el.s[q];
            const double* v = v_e[el.reflected(q, H)];
            const uint8_t* pi = el.perm(q, H);
            for (int k = 0; k < kP; ++k) {
              const double vx = v[2 * pi[k]], vy = v[2 * pi[k] + 1];
              acc[2 * k] += wc * vx - ws * vy;
              acc[2 * k + 1] += ws * vx + wc * vy;
            }
          }
        }
        const double* x = xc.x.data() + i * D;
        for (int d = 0; d < D; ++d) o[i * D + d] = scale * (acc[d] + rep * sum0 * x[d]);
      }
    });
  });
  return out.to(X.scalar_type());
}

torch::Tensor ParticleOrbitKernel::gram(const torch::Tensor& A, const torch::Tensor& B) const {
  const auto Ad = checked_points(A, "A"), Bd = checked_points(B, "B");
  const int P = static_cast<int>(P_), D = 2 * P;
  const int64_t N = A.size(0), M = B.size(0);
  const Elements H{perms_.data(), static_cast<int64_t>(perms_.size()) / P_, reflections_ ? 2 : 1, P};
  const WeightContext ctx(H, h_);
  const double scale = 1.0 / num_elements();
  const Centred ac = centre(Ad, P), bc = centre(Bd, P);
  auto out = torch::zeros({N, M, D, D}, torch::kFloat64);
  double* o = out.data_ptr<double>();
  with_particles(P_, [&](auto pc) {
    constexpr int kP = decltype(pc)::value;
    at::parallel_for(0, N, grain(M, num_elements()), [&](int64_t i0, int64_t i1) {
      PairTables<kP> t;
      PairElements el(num_elements());
      for (int64_t i = i0; i < i1; ++i) {
        for (int64_t j = 0; j < M; ++j) {
          if (!weigh_pair<kP>(ctx, ac, i, bc, j, t, el)) continue;
          double* K = o + (i * M + j) * D * D;
          for (int64_t q = 0; q < el.n; ++q) {
            // R_β F^e in the block (k, π(k)): F flips the sign of the second column.
            const double f = el.reflected(q, H) ? -1.0 : 1.0, wc = scale * el.w1[q] * el.c[q],
                         ws = scale * el.w1[q] * el.s[q];
            const uint8_t* pi = el.perm(q, H);
            for (int k = 0; k < kP; ++k) {
              double* blk = K + 2 * k * D + 2 * pi[k];
              blk[0] += wc;
              blk[1] -= f * ws;
              blk[D] += ws;
              blk[D + 1] += f * wc;
            }
          }
        }
      }
    });
  });
  return out.to(A.scalar_type());
}

torch::Tensor ParticleOrbitKernel::pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const {
  const auto Ad = checked_points(A, "A"), Bd = checked_points(B, "B");
  ESVGD_CHECK(A.size(0) == B.size(0), name(), ": pair_sq_dist needs paired rows, got ", A.sizes(), " and ",
              B.sizes());
  const int P = static_cast<int>(P_), D = 2 * P;
  const int64_t n = A.size(0);
  const Elements H{perms_.data(), static_cast<int64_t>(perms_.size()) / P_, reflections_ ? 2 : 1, P};
  const Centred ac = centre(Ad, P), bc = centre(Bd, P);
  auto out = torch::empty({n}, torch::kFloat64);
  double* o = out.data_ptr<double>();
  with_particles(P_, [&](auto pc) {
    constexpr int kP = decltype(pc)::value;
    PairTables<kP> t;
    PairElements el(num_elements());
    for (int64_t r = 0; r < n; ++r) {
      const double *x = ac.x.data() + r * D, *y = bc.x.data() + r * D;
      t.fill(x, y, reflections_);
      el.collect<kP>(t, H, 0, std::numeric_limits<double>::infinity());  // keeps every element
      // The closest element has the largest ρ; its d² is recomputed from differences (exact zeros).
      int64_t best = 0;
      for (int64_t q = 1; q < el.n; ++q) best = el.u[q] > el.u[best] ? q : best;
      const double rho = std::sqrt(el.u[best]);
      o[r] = rho > 0 ? exact_sq_dist<kP>(x, y, el.reflected(best, H), el.perm(best, H), el.c[best] / rho,
                                         el.s[best] / rho)
                     : ac.sq[r] + bc.sq[r];
    }
  });
  return out.to(A.scalar_type());
}

}  // namespace esvgd::kernel
