// Flow layers and flows (flow/): the rational-quadratic spline (a bijection of the whole line, monotone,
// fixed ends, its derivative against finite differences, zeros the identity); every layer in float64
// at random parameters, on rows that reach the spline tails and small radii: the inverse undoes the
// forward map with the opposite log-determinant, and the log-determinant equals the autograd Jacobian's;
// the equivariance of the radial and polar layers to their groups, and its absence where there is none
// (a generic rotation for the polar layer, any rotation for RealNVP), so these checks can fail; the
// ready-made flows: the identity when new, equivariant, and log_prob consistent with sample; the errors.
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include "esvgd/flow/builders.h"
#include "esvgd/flow/coupling.h"
#include "esvgd/flow/flow.h"
#include "esvgd/flow/polar.h"
#include "esvgd/flow/radial.h"
#include "esvgd/flow/reverse_kl.h"
#include "esvgd/flow/spline.h"
#include "test_support.h"

using namespace esvgd;

namespace {

constexpr auto kF64 = torch::kFloat64;
using MapFn = std::function<flow::Transformed(const torch::Tensor&)>;
using ActionFn = std::function<torch::Tensor(const torch::Tensor&)>;

using test::max_abs;

/// Every trainable parameter ~ N(0, scale²): new layers are the identity, these are far from it.
void randomise(torch::nn::Module& m, at::Generator& gen, double scale) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.parameters())
    if (p.requires_grad()) p.normal_(0, scale, gen);
}

template <typename L, typename... Args>
std::shared_ptr<flow::Layer> random_layer(at::Generator& gen, Args&&... args) {
  auto layer = std::make_shared<L>(std::forward<Args>(args)...);
  layer->to(kF64);
  randomise(*layer, gen, 0.5);
  return layer;
}

/// n rows of dim/block blocks of `block` coordinates in random directions, radii uniform in
/// (0, 1.5 bound); row 0 has every block at radius 1e-3, row 1 every block in the tail (2.5 bound),
/// row 2 its first block at 1e-3 and its last in the tail.
torch::Tensor rows(int64_t n, int64_t dim, int64_t block, double bound, at::Generator& gen) {
  const int64_t blocks = dim / block;
  auto direction = torch::randn({n, blocks, block}, gen, kF64);
  direction = direction / direction.norm(2, {-1}, true);
  auto radius = 1.5 * bound * torch::rand({n, blocks, 1}, gen, kF64);
  radius[0].fill_(1e-3);
  radius[1].fill_(2.5 * bound);
  radius[2][0].fill_(1e-3);
  radius[2][blocks - 1].fill_(2.5 * bound);
  return (direction * radius).reshape({n, dim});
}

struct LayerCase {
  std::string name;
  std::shared_ptr<flow::Layer> layer;
  int64_t dim, block;
  double bound;
};

std::vector<LayerCase> layer_cases(at::Generator& gen) {
  const auto m1010 = torch::tensor({1.0, 0.0, 1.0, 0.0}, kF64);
  const auto m0011 = torch::tensor({0.0, 0.0, 1.0, 1.0}, kF64);
  return {
      {"radial D=3", random_layer<flow::RadialSplineLayer>(gen, 3, 3, 8, 6.0), 3, 3, 6.0},
      {"radial 4 particles x 2", random_layer<flow::RadialSplineLayer>(gen, 8, 2, 8, 6.0), 8, 2, 6.0},
      {"scale", random_layer<flow::ScaleLayer>(gen, 3), 3, 3, 6.0},
      {"polar C4", random_layer<flow::CyclicPolarLayer>(gen, 4, 8, 8.0, 16), 2, 2, 8.0},
      {"polar C1", random_layer<flow::CyclicPolarLayer>(gen, 1, 8, 8.0, 16), 2, 2, 8.0},
      {"coupling 1010", random_layer<flow::AffineCouplingLayer>(gen, m1010, 16), 4, 4, 4.0},
      {"coupling 0011", random_layer<flow::AffineCouplingLayer>(gen, m0011, 16), 4, 4, 4.0},
  };
}

/// Per-row Jacobians [N, D, D] of a row-wise map by autograd: rows are independent, so the gradient of
/// Σ_n y_nj with respect to the input is row j of every row's Jacobian.
torch::Tensor jacobians(const MapFn& f, const torch::Tensor& z) {
  const auto input = z.detach().clone().requires_grad_(true);
  const auto y = f(input).value;
  std::vector<torch::Tensor> rows_of_j;
  for (int64_t j = 0; j < y.size(1); ++j)
    rows_of_j.push_back(torch::autograd::grad({y.select(1, j).sum()}, {input}, {}, /*retain_graph=*/true)[0]);
  return torch::stack(rows_of_j, 1);
}

/// log|det| reported by f against log|det| of its autograd Jacobian, row by row.
void expect_log_det_matches_autograd(const MapFn& f, const torch::Tensor& z, const std::string& what) {
  const auto by_autograd = std::get<1>(torch::linalg_slogdet(jacobians(f, z)));
  const auto reported = f(z).log_det.detach();
  ASSERT_EQ(reported.sizes(), by_autograd.sizes()) << what;
  EXPECT_LT(max_abs(reported - by_autograd), 1e-8) << what << "\nreported " << reported << "\nautograd " << by_autograd;
}

/// max |f(g x) − g f(x)| over the rows, and the same for the log-determinant (which must be invariant).
std::pair<double, double> equivariance_gap(const MapFn& f, const ActionFn& g, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  const auto moved = f(g(x)), plain = f(x);
  return {max_abs(moved.value - g(plain.value)), max_abs(moved.log_det - plain.log_det)};
}

void expect_equivariant(const MapFn& f, const ActionFn& g, const torch::Tensor& x, const std::string& what) {
  const auto [value_gap, log_det_gap] = equivariance_gap(f, g, x);
  EXPECT_LT(value_gap, 1e-10) << what;
  EXPECT_LT(log_det_gap, 1e-10) << what << ": log|det| not invariant";
}

MapFn forward_of(const std::shared_ptr<flow::Layer>& layer) {
  return [layer](const torch::Tensor& z) { return layer->forward(z); };
}

/// A Haar-random orthogonal d×d matrix, with determinant −1 when reflect.
torch::Tensor random_orthogonal(int64_t d, at::Generator& gen, bool reflect) {
  const auto qr = torch::linalg_qr(torch::randn({d, d}, gen, kF64));
  auto Q = std::get<0>(qr) * torch::sign(torch::diagonal(std::get<1>(qr))).unsqueeze(0);
  if ((torch::det(Q).item<double>() < 0) != reflect) {
    auto flip = torch::ones({d}, kF64);
    flip[0] = -1.0;
    Q = Q * flip.unsqueeze(0);
  }
  return Q;
}

torch::Tensor rotation(double angle) {
  return torch::tensor({std::cos(angle), -std::sin(angle), std::sin(angle), std::cos(angle)}, kF64).view({2, 2});
}

/// Rows x ↦ x Qᵀ (Q applied to every row).
ActionFn rows_times(const torch::Tensor& Q) {
  return [Q](const torch::Tensor& x) { return torch::matmul(x, Q.t()); };
}

flow::SplineInterval interval(double lo, double hi) {
  flow::SplineInterval in;
  in.lo = lo;
  in.hi = hi;
  return in;
}

constexpr int64_t kBins = 8;

}  // namespace

// ---- the spline --------------------------------------------------------------------------------------

TEST(Spline, SplitsRawParametersIntoWidthsHeightsAndDerivatives) {
  auto gen = test::make_gen(1);
  const auto p = flow::split_spline_parameters(torch::randn({5, 3 * kBins + 1}, gen, kF64), kBins);
  EXPECT_EQ(p.widths.sizes(), torch::IntArrayRef({5, kBins}));
  EXPECT_EQ(p.heights.sizes(), torch::IntArrayRef({5, kBins}));
  EXPECT_EQ(p.derivatives.sizes(), torch::IntArrayRef({5, kBins + 1}));
}

TEST(Spline, RoundTripsOverTheWholeLineWithOppositeLogDerivatives) {
  auto gen = test::make_gen(2);
  const auto in = interval(-3.0, 3.0);
  const int64_t N = 200;
  const auto p = flow::split_spline_parameters(torch::randn({N, 3 * kBins + 1}, gen, kF64), kBins);
  auto x = (in.lo - 2) + (in.hi - in.lo + 4) * torch::rand({N}, gen, kF64);  // [lo − 2, hi + 2]
  x[0] = in.lo - 2;
  x[1] = in.hi + 2;
  x[2] = in.lo;
  x[3] = in.hi;
  const auto y = flow::spline_forward(x, p, in);
  ASSERT_EQ(y.value.sizes(), x.sizes());
  ASSERT_EQ(y.log_det.sizes(), x.sizes());
  const auto back = flow::spline_inverse(y.value, p, in);
  EXPECT_LT(max_abs(back.value - x), 1e-10);
  EXPECT_LT(max_abs(back.log_det + y.log_det), 1e-10);

  // And the other way round, from values spread over the same range of y.
  const auto v = (in.lo - 2) + (in.hi - in.lo + 4) * torch::rand({N}, gen, kF64);
  const auto u = flow::spline_inverse(v, p, in);
  const auto again = flow::spline_forward(u.value, p, in);
  EXPECT_LT(max_abs(again.value - v), 1e-10);
  EXPECT_LT(max_abs(again.log_det + u.log_det), 1e-10);
}

TEST(Spline, IsMonotoneWithFixedEnds) {
  auto gen = test::make_gen(3);
  const auto in = interval(-3.0, 3.0);
  // One parameter row broadcast over sorted values: the output is strictly increasing.
  const auto one = flow::split_spline_parameters(torch::randn({1, 3 * kBins + 1}, gen, kF64), kBins);
  const auto x = torch::linspace(in.lo - 2, in.hi + 2, 1001, kF64);
  const auto y = flow::spline_forward(x, one, in).value;
  EXPECT_GT((y.narrow(0, 1, 1000) - y.narrow(0, 0, 1000)).min().item<double>(), 0);

  // g(lo) = lo and g(hi) = hi for every row of parameters, and the same for the inverse.
  const int64_t N = 50;
  const auto p = flow::split_spline_parameters(torch::randn({N, 3 * kBins + 1}, gen, kF64), kBins);
  for (const double end : {in.lo, in.hi}) {
    const auto at = torch::full({N}, end, kF64);
    EXPECT_LT(max_abs(flow::spline_forward(at, p, in).value - end), 1e-12) << end;
    EXPECT_LT(max_abs(flow::spline_inverse(at, p, in).value - end), 1e-12) << end;
  }
}

TEST(Spline, DerivativeMatchesFiniteDifferences) {
  auto gen = test::make_gen(4);
  const auto in = interval(-3.0, 3.0);
  const int64_t N = 200;
  const double h = 1e-6;
  const auto p = flow::split_spline_parameters(torch::randn({N, 3 * kBins + 1}, gen, kF64), kBins);
  const auto x = (in.lo - 2) + (in.hi - in.lo + 4) * torch::rand({N}, gen, kF64);
  const auto g = [&](const torch::Tensor& v) { return flow::spline_forward(v, p, in).value; };
  const auto fd = (g(x + h) - g(x - h)) / (2 * h);
  EXPECT_LT(max_abs(fd - flow::spline_forward(x, p, in).log_det.exp()), 1e-6);

  const auto y = (in.lo - 2) + (in.hi - in.lo + 4) * torch::rand({N}, gen, kF64);
  const auto g_inv = [&](const torch::Tensor& v) { return flow::spline_inverse(v, p, in).value; };
  const auto fd_inv = (g_inv(y + h) - g_inv(y - h)) / (2 * h);
  EXPECT_LT(max_abs(fd_inv - flow::spline_inverse(y, p, in).log_det.exp()), 1e-6);

  // spline_slope_at_lo is g'(lo), which is also the slope of the left tail.
  const auto slope = flow::spline_slope_at_lo(p, in);
  ASSERT_EQ(slope.sizes(), torch::IntArrayRef({N}));
  const auto lo = torch::full({N}, in.lo, kF64);
  EXPECT_LT(max_abs(slope - flow::spline_forward(lo, p, in).log_det.exp()), 1e-12);
  EXPECT_LT(max_abs(slope - (in.lo - g(lo - 1.0))), 1e-10);
}

TEST(Spline, ZeroParametersAreTheIdentity) {
  const auto in = interval(0.0, 6.0);
  const int64_t N = 101;
  const auto p = flow::split_spline_parameters(torch::zeros({N, 3 * kBins + 1}, kF64), kBins);
  const auto x = torch::linspace(in.lo - 2, in.hi + 2, N, kF64);
  for (const auto& t : {flow::spline_forward(x, p, in), flow::spline_inverse(x, p, in)}) {
    EXPECT_LT(max_abs(t.value - x), 1e-12);
    EXPECT_LT(max_abs(t.log_det), 1e-12);
  }
  EXPECT_LT(max_abs(flow::spline_slope_at_lo(p, in) - 1.0), 1e-12);
}

// ---- layers ------------------------------------------------------------------------------------------

TEST(FlowLayers, InverseUndoesForwardWithOppositeLogDet) {
  auto gen = test::make_gen(10);
  for (const auto& c : layer_cases(gen)) {
    torch::NoGradGuard no_grad;
    const auto z = rows(20, c.dim, c.block, c.bound, gen);
    const auto fwd = c.layer->forward(z);
    ASSERT_EQ(fwd.value.sizes(), z.sizes()) << c.name;
    ASSERT_EQ(fwd.log_det.sizes(), torch::IntArrayRef({20})) << c.name;
    EXPECT_EQ(fwd.value.scalar_type(), torch::kFloat64) << c.name;
    EXPECT_TRUE(torch::isfinite(fwd.value).all().item<bool>()) << c.name;
    EXPECT_GT(max_abs(fwd.value - z), 1e-3) << c.name << ": the randomised layer is still the identity";
    const auto back = c.layer->inverse(fwd.value);
    // Rounding in x becomes an error of about eps/|det| in z: a row that the layer compresses by e^-20
    // (random MLP weights do that) is inverted to 1e-7 at best. Well-conditioned rows must reach 1e-10.
    const auto tol =
        torch::where(fwd.log_det.abs() <= 10, torch::full_like(fwd.log_det, 1e-10), 1e-14 * fwd.log_det.abs().exp());
    EXPECT_TRUE(((back.value - z).abs().amax(1) <= tol).all().item<bool>())
        << c.name << ": " << (back.value - z).abs().amax(1);
    EXPECT_TRUE(((back.log_det + fwd.log_det).abs() <= tol).all().item<bool>()) << c.name;

    const auto x = rows(20, c.dim, c.block, c.bound, gen);  // and forward(inverse(x)) = x
    const auto inv = c.layer->inverse(x);
    const auto again = c.layer->forward(inv.value);
    EXPECT_LT(max_abs(again.value - x), 1e-10) << c.name;
    EXPECT_LT(max_abs(again.log_det + inv.log_det), 1e-10) << c.name;
  }
}

TEST(FlowLayers, LogDetEqualsTheAutogradJacobian) {
  auto gen = test::make_gen(11);
  for (const auto& c : layer_cases(gen)) {
    const auto z = rows(20, c.dim, c.block, c.bound, gen);
    expect_log_det_matches_autograd(forward_of(c.layer), z, c.name + " forward");
    const auto layer = c.layer;
    expect_log_det_matches_autograd([layer](const torch::Tensor& x) { return layer->inverse(x); }, z,
                                    c.name + " inverse");
  }
}

TEST(FlowLayers, RadialLayerIsOrthogonallyEquivariant) {
  auto gen = test::make_gen(12);
  const auto layer = random_layer<flow::RadialSplineLayer>(gen, 3, 3, 8, 6.0);
  const auto x = rows(20, 3, 3, 6.0, gen);
  for (const bool reflect : {false, true})
    expect_equivariant(forward_of(layer), rows_times(random_orthogonal(3, gen, reflect)), x,
                       reflect ? "O(3) reflection" : "SO(3) rotation");
}

TEST(FlowLayers, ParticleRadialLayerIsEquivariantToParticleRotationsAndPermutations) {
  auto gen = test::make_gen(13);
  const auto layer = random_layer<flow::RadialSplineLayer>(gen, 8, 2, 8, 6.0);
  const auto x = rows(20, 8, 2, 6.0, gen);
  const auto zero = torch::zeros({2}, kF64);
  const test::ParticleMotion rotate{random_orthogonal(2, gen, true), {0, 1, 2, 3}, zero};
  const test::ParticleMotion permute{torch::eye(2, kF64), {2, 0, 3, 1}, zero};
  const auto both = test::random_particle_motion(4, gen, /*reflect=*/false);
  for (const auto& [motion, what] : {std::pair{rotate, "O(2) on every particle"}, std::pair{permute, "permutation"},
                                     std::pair{both, "rotation and permutation"}})
    expect_equivariant(
        forward_of(layer), [m = motion](const torch::Tensor& v) { return m.apply(v, false); }, x, what);
  // The blocks are mapped separately: a rotation of R^8 that mixes particles is not a symmetry.
  const auto gap = equivariance_gap(forward_of(layer), rows_times(random_orthogonal(8, gen, false)), x).first;
  EXPECT_GT(gap, 1e-3) << "the particle layer commutes with a generic O(8) map: are the blocks used?";
}

TEST(FlowLayers, ScaleLayerCommutesWithEveryOrthogonalMap) {
  auto gen = test::make_gen(14);
  const auto layer = random_layer<flow::ScaleLayer>(gen, 3);
  expect_equivariant(forward_of(layer), rows_times(random_orthogonal(3, gen, true)), rows(20, 3, 3, 6.0, gen), "scale");
}

TEST(FlowLayers, PolarLayerIsEquivariantToItsRotationsOnly) {
  auto gen = test::make_gen(15);
  const auto layer = random_layer<flow::CyclicPolarLayer>(gen, 4, 8, 8.0, 16);
  const auto x = rows(20, 2, 2, 8.0, gen);
  for (int k = 1; k <= 3; ++k)
    expect_equivariant(forward_of(layer), rows_times(rotation(2 * M_PI * k / 4)), x,
                       "rotation by 2π·" + std::to_string(k) + "/4");
  const auto gap = equivariance_gap(forward_of(layer), rows_times(rotation(0.3)), x).first;
  EXPECT_GT(gap, 1e-3) << "the C4 layer commutes with a rotation by 0.3 rad";
}

TEST(FlowLayers, AffineCouplingIsNotRotationEquivariant) {
  auto gen = test::make_gen(16);
  const auto layer = random_layer<flow::AffineCouplingLayer>(gen, torch::tensor({1.0, 0.0, 1.0, 0.0}, kF64), 16);
  const auto gap =
      equivariance_gap(forward_of(layer), rows_times(random_orthogonal(4, gen, false)), rows(20, 4, 4, 4.0, gen)).first;
  EXPECT_GT(gap, 1e-3);
}

// ---- flows -------------------------------------------------------------------------------------------

namespace {

struct FlowCase {
  std::string name;
  std::shared_ptr<flow::Flow> flow;
  int64_t dim, block;
};

std::vector<FlowCase> flow_cases(const flow::FlowOptions& o) {
  std::vector<FlowCase> cases = {{"radial", flow::radial_flow(2, o), 2, 2},
                                 {"cyclic C4", flow::cyclic_flow(4, o), 2, 2},
                                 {"particles 4 x 2", flow::particle_radial_flow(4, 2, o), 8, 2},
                                 {"real NVP", flow::real_nvp_flow(4, o), 4, 4}};
  for (auto& c : cases) c.flow->to(kF64);
  return cases;
}

}  // namespace

TEST(Flows, NewFlowsAreTheIdentity) {
  EXPECT_EQ(flow::Flow(3).tensor_options().dtype(), torch::kFloat32);
  auto gen = test::make_gen(20);
  const auto o = flow::FlowOptions();
  for (const auto& c : flow_cases(o)) {
    torch::NoGradGuard no_grad;
    EXPECT_EQ(c.flow->dim(), c.dim) << c.name;
    EXPECT_EQ(c.flow->layers().size(), static_cast<size_t>(1 + o.layers())) << c.name;
    EXPECT_NE(std::dynamic_pointer_cast<flow::ScaleLayer>(c.flow->layers().front()), nullptr)
        << c.name << ": the first layer is not a ScaleLayer";
    EXPECT_FALSE(c.flow->parameters().empty()) << c.name << ": the layers' parameters are not registered";
    EXPECT_EQ(c.flow->tensor_options().dtype(), torch::kFloat64) << c.name;
    const auto z = rows(20, c.dim, c.block, o.bound(), gen);
    for (const auto& t : {c.flow->forward(z), c.flow->inverse(z)}) {
      EXPECT_LT(max_abs(t.value - z), 1e-12) << c.name;
      EXPECT_LT(max_abs(t.log_det), 1e-12) << c.name;
    }
  }
}

TEST(Flows, RandomFlowsAreConsistentDensities) {
  auto gen = test::make_gen(21);
  for (const auto& c : flow_cases(flow::FlowOptions())) {
    randomise(*c.flow, gen, 0.3);
    const auto x = rows(20, c.dim, c.block, 12.0, gen);
    {
      torch::NoGradGuard no_grad;
      EXPECT_GT(max_abs(c.flow->forward(x).value - x), 1e-2) << c.name << ": randomising did not reach the layers";
      const auto inv = c.flow->inverse(x);
      EXPECT_LT(max_abs(c.flow->log_prob(x) - (flow::standard_normal_log_prob(inv.value) + inv.log_det)), 1e-10)
          << c.name;
      EXPECT_LT(max_abs(c.flow->forward(inv.value).value - x), 1e-10) << c.name;
    }
    const auto s = c.flow->sample(50, gen);
    ASSERT_EQ(s.value.sizes(), torch::IntArrayRef({50, c.dim})) << c.name;
    EXPECT_TRUE(s.log_det.requires_grad()) << c.name << ": log q of the draws must be differentiable";
    EXPECT_LT(max_abs(s.log_det.detach() - c.flow->log_prob(s.value.detach()).detach()), 1e-10) << c.name;

    const auto f = c.flow;
    expect_log_det_matches_autograd([f](const torch::Tensor& z) { return f->forward(z); }, x, c.name + " flow");
  }
}

TEST(Flows, EquivariantFlowsCommuteWithTheirGroups) {
  auto gen = test::make_gen(22);
  const auto cases = flow_cases(flow::FlowOptions());
  for (const auto& c : cases) randomise(*c.flow, gen, 0.3);
  const auto check = [&](const FlowCase& c, const ActionFn& g, const std::string& what) {
    const auto x = rows(20, c.dim, c.block, 12.0, gen);
    const auto f = c.flow;
    expect_equivariant([f](const torch::Tensor& z) { return f->forward(z); }, g, x, c.name + ", " + what);
    torch::NoGradGuard no_grad;
    EXPECT_LT(max_abs(f->log_prob(g(x)) - f->log_prob(x)), 1e-10) << c.name << ", " << what << ": log q not invariant";
  };
  check(cases[0], rows_times(random_orthogonal(2, gen, true)), "O(2) reflection");
  check(cases[1], rows_times(rotation(M_PI / 2)), "rotation by π/2");
  const auto motion = test::random_particle_motion(4, gen, /*reflect=*/true);
  const ActionFn move_particles = [motion](const torch::Tensor& v) { return motion.apply(v, false); };
  check(cases[2], move_particles, "O(2) × S4");
}

// ---- errors ------------------------------------------------------------------------------------------

TEST(FlowErrors, BadOptionsAndShapesAreClearErrors) {
  using flow::FlowOptions;
  test::expect_error([] { flow::check_flow(FlowOptions().bins(0)); }, ErrorKind::kInvalidArgument,
                     {"FlowOptions::bins"});
  test::expect_error([] { flow::check_flow(FlowOptions().bound(0.0)); }, ErrorKind::kInvalidArgument,
                     {"FlowOptions::bound"});
  test::expect_error([] { flow::check_flow(FlowOptions().hidden(0)); }, ErrorKind::kInvalidArgument,
                     {"FlowOptions::hidden"});
  test::expect_error([] { flow::radial_flow(2, FlowOptions().bins(0)); }, "FlowOptions::bins");
  test::expect_error([] { flow::RadialSplineLayer(5, 2, 8, 6.0); }, ErrorKind::kInvalidArgument, {"block"});
  test::expect_error([] { flow::CyclicPolarLayer(0, 8, 8.0, 16); }, "order");
  using flow::ReverseKlOptions;
  test::expect_error([] { flow::check_reverse_kl(ReverseKlOptions().steps(-1)); }, ErrorKind::kInvalidArgument,
                     {"ReverseKlOptions::steps"});
  test::expect_error([] { flow::check_reverse_kl(ReverseKlOptions().batch(0)); }, ErrorKind::kInvalidArgument,
                     {"ReverseKlOptions::batch"});
  test::expect_error([] { flow::check_reverse_kl(ReverseKlOptions().learning_rate(0.0)); }, ErrorKind::kInvalidArgument,
                     {"ReverseKlOptions::learning_rate"});
}
