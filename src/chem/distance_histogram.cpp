#include "esvgd/chem/distance_histogram.h"

#include <map>

#include <ATen/ATen.h>

#include "chem/elements.h"
#include "esvgd/core/error.h"

namespace esvgd::chem {
namespace {

/// "C-C", "C-O", hydrogen last as chemists write it: "C-H", "O-H", "H-H" (za <= zb).
std::string pair_name(int64_t za, int64_t zb) {
  return za == 1 ? element_symbol(zb) + "-H" : element_symbol(za) + "-" + element_symbol(zb);
}

}  // namespace

DistanceHistograms distance_histograms(const std::vector<int64_t>& z, const torch::Tensor& X, int64_t bins,
                                       double max_distance) {
  const auto P = static_cast<int64_t>(z.size());
  if (P < 2 || X.dim() != 2 || X.size(1) != 3 * P || X.size(0) == 0)
    throw Error(ErrorKind::kInvalidArgument, "distance_histograms",
                "X must be [N >= 1, " + std::to_string(3 * P) + "] for " + std::to_string(P) +
                    " atoms (at least 2), got " + c10::str(X.sizes()));
  if (bins < 1 || !(max_distance > 0))
    throw Error(ErrorKind::kInvalidArgument, "distance_histograms", "bins must be >= 1 and max_distance > 0");
  // Atom pairs i < j grouped by their element pair (lower Z first).
  std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> groups;
  std::vector<int64_t> first, second;
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = i + 1; j < P; ++j) {
      groups[{std::min(z[i], z[j]), std::max(z[i], z[j])}].push_back(static_cast<int64_t>(first.size()));
      first.push_back(i);
      second.push_back(j);
    }
  const auto R = X.to(at::kDouble).view({X.size(0), P, 3});
  const auto d = (R.index_select(1, at::tensor(first)) - R.index_select(1, at::tensor(second))).norm(2, -1);  // [N, pairs]
  const auto bin = (d * (static_cast<double>(bins) / max_distance)).floor().clamp(0, bins - 1).to(at::kLong);
  DistanceHistograms h;
  h.max_distance = max_distance;
  h.frequencies = at::zeros({static_cast<int64_t>(groups.size()), bins}, at::kDouble);
  int64_t row = 0;
  for (const auto& [elements, columns] : groups) {
    h.pairs.push_back(pair_name(elements.first, elements.second));
    h.atom_pairs.push_back(static_cast<int64_t>(columns.size()));
    const auto b = bin.index_select(1, at::tensor(columns)).flatten();
    h.frequencies[row++].index_add_(0, b, at::ones({b.numel()}, at::kDouble)).div_(static_cast<double>(b.numel()));
  }
  return h;
}

DistanceTv distance_tv(const DistanceHistograms& a, const DistanceHistograms& b) {
  if (a.pairs != b.pairs || !a.frequencies.sizes().equals(b.frequencies.sizes()) || a.max_distance != b.max_distance)
    throw Error(ErrorKind::kInvalidArgument, "distance_tv", "the two histograms have different element pairs or bins");
  DistanceTv tv;
  const auto per_pair = 0.5 * (a.frequencies - b.frequencies).abs().sum(1);
  double total = 0, weight = 0;
  for (size_t k = 0; k < a.pairs.size(); ++k) {
    tv.per_pair.push_back(per_pair[static_cast<int64_t>(k)].item<double>());
    total += tv.per_pair.back() * static_cast<double>(a.atom_pairs[k]);
    weight += static_cast<double>(a.atom_pairs[k]);
  }
  tv.weighted = total / weight;
  return tv;
}

}  // namespace esvgd::chem
