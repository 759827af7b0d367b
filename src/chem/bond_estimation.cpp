#include "esvgd/chem/bond_estimation.h"

#include <cmath>
#include <limits>

#include <torch/types.h>

#include "chem/elements.h"
#include "esvgd/core/error.h"

namespace esvgd::chem {

int BondGraph::bond_order(int i, int j) const {
  if (i > j) std::swap(i, j);
  for (const auto& b : bonds)
    if (b.a == i && b.b == j) return b.order;
  return 0;
}

namespace {

/// p2 may be bonded when it is at most this factor farther than p1 (the paper's 1.1).
constexpr double kNewBondRatio = 1.1;
constexpr int kMaxBondOrder = 3;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// The working state of the estimate: distances once, bond orders as a dense matrix (molecules are
/// small: QM9 has at most 29 atoms), and the graph being built.
class Estimator {
 public:
  Estimator(const std::vector<int64_t>& z, const std::vector<std::array<double, 3>>& x)
      : n_(static_cast<int>(z.size())), dist_(n_ * n_), order_(n_ * n_, 0) {
    graph_.atomic_numbers = z;
    graph_.free_valence.resize(n_);
    for (int i = 0; i < n_; ++i) {
      graph_.free_valence[i] = max_valence(z[i]);
      heavy_.push_back(z[i] != 1);
    }
    for (int i = 0; i < n_; ++i)
      for (int j = 0; j < n_; ++j) {
        const double dx = x[i][0] - x[j][0], dy = x[i][1] - x[j][1], dz = x[i][2] - x[j][2];
        dist_[i * n_ + j] = std::sqrt(dx * dx + dy * dy + dz * dz);
      }
    in_graph_.assign(n_, false);
  }

  BondGraph run(const std::vector<std::array<double, 3>>& x) {
    heavy_tree(x);
    hydrogens();
    spend_remaining();
    return std::move(graph_);
  }

 private:
  double d(int i, int j) const { return dist_[i * n_ + j]; }
  int& order(int i, int j) { return order_[i * n_ + j]; }
  int free(int i) const { return graph_.free_valence[i]; }

  /// Raises the order of (i, j) by one (a new bond if they were not bonded) and spends the valence.
  void add_bond(int i, int j) {
    if (i > j) std::swap(i, j);
    const int o = ++order(i, j);
    order(j, i) = o;
    --graph_.free_valence[i];
    --graph_.free_valence[j];
    if (o == 1) {
      graph_.bonds.push_back({i, j, 1});
    } else {
      for (auto& b : graph_.bonds)
        if (b.a == i && b.b == j) b.order = o;
    }
  }

  // Step 1: grow a tree of heavy atoms from the one nearest the origin; an atom joins at the
  // nearest graph atom that can still take a bond.
  void heavy_tree(const std::vector<std::array<double, 3>>& x) {
    int start = -1;
    double best = kInf;
    for (int i = 0; i < n_; ++i) {
      if (!heavy_[i]) continue;
      const double r = std::sqrt(x[i][0] * x[i][0] + x[i][1] * x[i][1] + x[i][2] * x[i][2]);
      if (r < best) best = r, start = i;
    }
    if (start < 0) return;
    in_graph_[start] = true;
    for (;;) {
      int add = -1, to = -1;
      double dbest = kInf;
      for (int c = 0; c < n_; ++c) {
        if (!heavy_[c] || in_graph_[c]) continue;
        for (int g = 0; g < n_; ++g) {
          if (!in_graph_[g] || free(g) <= 0) continue;
          // Strict < keeps the lowest (candidate, graph atom) on ties: both loops run upwards.
          if (d(c, g) < dbest) dbest = d(c, g), add = c, to = g;
        }
      }
      if (add < 0) return;  // every heavy atom is in, or no graph atom can take another bond
      in_graph_[add] = true;
      add_bond(to, add);
    }
  }

  // Step 2: the H farthest from its nearest available heavy atom goes first, so that an H with few
  // options is not crowded out by the H atoms that sit close to some heavy atom.
  void hydrogens() {
    std::vector<bool> done(n_, false);
    for (;;) {
      int h_pick = -1, to_pick = -1;
      double d_pick = -1;
      for (int h = 0; h < n_; ++h) {
        if (heavy_[h] || done[h]) continue;
        int to = -1;
        double dh = kInf;
        for (int g = 0; g < n_; ++g)
          if (heavy_[g] && in_graph_[g] && free(g) > 0 && d(h, g) < dh) dh = d(h, g), to = g;
        if (to >= 0 && dh > d_pick) d_pick = dh, h_pick = h, to_pick = to;
      }
      if (h_pick < 0) return;  // every H is bonded, or no heavy atom has valence left
      done[h_pick] = true;
      add_bond(to_pick, h_pick);
    }
  }

  // Step 3: close rings (p2) when they are about as short as the shortest bond that could be
  // raised (p1); otherwise raise that bond's order.
  void spend_remaining() {
    for (;;) {
      int p1a = -1, p1b = -1, p2a = -1, p2b = -1;
      double d1 = kInf, d2 = kInf;
      for (int i = 0; i < n_; ++i) {
        if (free(i) <= 0) continue;
        for (int j = i + 1; j < n_; ++j) {
          if (free(j) <= 0) continue;
          const int o = order(i, j);
          if (heavy_[i] && heavy_[j] && o < kMaxBondOrder && d(i, j) < d1) d1 = d(i, j), p1a = i, p1b = j;
          if (o == 0 && d(i, j) < d2) d2 = d(i, j), p2a = i, p2b = j;
        }
      }
      if (p1a < 0) return;
      if (p2a >= 0 && d2 <= kNewBondRatio * d1)
        add_bond(p2a, p2b);
      else
        add_bond(p1a, p1b);
    }
  }

  int n_;
  std::vector<double> dist_;
  std::vector<int> order_;
  std::vector<bool> heavy_, in_graph_;
  BondGraph graph_;
};

}  // namespace

BondGraph estimate_bonds(const std::vector<int64_t>& atomic_numbers,
                         const std::vector<std::array<double, 3>>& positions) {
  ESVGD_CHECK(atomic_numbers.size() == positions.size(), "bond estimation: ", atomic_numbers.size(),
              " atomic numbers but ", positions.size(), " positions");
  for (size_t i = 0; i < atomic_numbers.size(); ++i) {
    ESVGD_CHECK(is_supported_element(atomic_numbers[i]), "bond estimation: atom ", i, " has atomic number ",
                atomic_numbers[i], "; supported: H(1) C(6) N(7) O(8) F(9)");
    for (double c : positions[i])
      ESVGD_CHECK(std::isfinite(c), "bond estimation: atom ", i, " has a non-finite position");
  }
  return Estimator(atomic_numbers, positions).run(positions);
}

BondGraph estimate_bonds(const std::vector<int64_t>& atomic_numbers, const torch::Tensor& positions) {
  ESVGD_CHECK(positions.defined() && positions.dim() == 2 && positions.size(1) == 3,
              "bond estimation: positions must be [n, 3], got ",
              positions.defined() ? c10::str(positions.sizes()) : std::string("an undefined tensor"));
  ESVGD_CHECK(positions.is_floating_point(), "bond estimation: positions must be floating point, got ",
              c10::toString(positions.scalar_type()));
  auto p = positions.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  std::vector<std::array<double, 3>> x(static_cast<size_t>(p.size(0)));
  const double* data = p.data_ptr<double>();
  for (size_t i = 0; i < x.size(); ++i) x[i] = {data[3 * i], data[3 * i + 1], data[3 * i + 2]};
  return estimate_bonds(atomic_numbers, x);
}

}  // namespace esvgd::chem
