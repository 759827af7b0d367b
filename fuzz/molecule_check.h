#pragma once
// What an accepted molecule must look like, whatever the file said: the xyz harnesses check it so
// that a reader that accepts nonsense is a finding too, not only one that crashes.
#include <cmath>

#include <torch/types.h>

#include "esvgd/data/molecule.h"
#include "fuzz_input.h"

namespace esvgd::fuzz {

inline void check_molecule(const data::Molecule& m) {
  const auto n = static_cast<int64_t>(m.atomic_numbers.size());
  if (n < 1) finding("xyz reader", "accepted a molecule without atoms");
  if (!m.positions.defined() || m.positions.dim() != 2 || m.positions.size(0) != n || m.positions.size(1) != 3 ||
      m.positions.scalar_type() != torch::kFloat64)
    finding("xyz reader", "positions are not a float64 [n, 3] tensor");
  if (!torch::isfinite(m.positions).all().item<bool>()) finding("xyz reader", "accepted a non-finite coordinate");
  try {
    for (int64_t z : m.atomic_numbers) (void)data::element_symbol(z);
  } catch (const Error& e) {
    finding("xyz reader accepted an unknown element", e.what());
  }
}

}  // namespace esvgd::fuzz
