#pragma once
/// Interatomic distances per element pair (C-C, C-H, ...) as histograms, and the total variation
/// between two sets of molecules: bonds show up as peaks at 0.96-1.55 Å that random clouds lack,
/// and the second neighbours at 2.1-2.6 Å, so the distance of two histograms measures how much of a
/// molecule's geometry a set of samples has, independently of any bond estimate.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace esvgd::chem {

struct DistanceHistograms {
  std::vector<std::string> pairs;     ///< "H-H", "C-H", "O-H", "C-C", "C-O", ... (by the pair of Z, lower first)
  std::vector<int64_t> atom_pairs;    ///< atom pairs per molecule of each element pair (the weights)
  torch::Tensor frequencies;          ///< [pairs, bins] float64, each row sums to 1
  double max_distance = 0;            ///< bins cover [0, max_distance); longer distances fall in the last
};

/// Histograms of the rows of X [N, 3P] (Å), atoms of elements `atomic_numbers` [P], with `bins`
/// equal bins over [0, max_distance). Throws esvgd::Error(kInvalidArgument) on a shape mismatch,
/// N = 0, P < 2, bins < 1 or max_distance <= 0.
DistanceHistograms distance_histograms(const std::vector<int64_t>& atomic_numbers, const torch::Tensor& X,
                                       int64_t bins = 40, double max_distance = 8.0);

/// ½ Σ_b |p_b − q_b| per element pair, and their mean weighted by atom pairs per molecule.
struct DistanceTv {
  std::vector<double> per_pair;  ///< in the order of DistanceHistograms::pairs
  double weighted = 0;
};

/// Throws esvgd::Error(kInvalidArgument) unless a and b have the same pairs and bins.
DistanceTv distance_tv(const DistanceHistograms& a, const DistanceHistograms& b);

}  // namespace esvgd::chem
