#pragma once
/// A molecule as the data module hands it out: elements, 3-D positions and the labels a data file
/// carries (QM9 name, reference SMILES, train/valid/test split), plus element symbols and formulas.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace esvgd::data {

struct Molecule {
  std::vector<int64_t> atomic_numbers;  ///< Z per atom
  torch::Tensor positions;              ///< [n, 3] float64, Ångström
  std::string name;                     ///< e.g. dsgdb9nsd_000222, may be empty
  std::string smiles;                   ///< the file's reference SMILES, may be empty
  std::string split;                    ///< "train" / "valid" / "test" / ""
  int64_t gdb_id = 0;                   ///< QM9 (GDB-9) index, 0 when the file gives none
};

/// Z of an element symbol. Knows H to Ar, Br and I (all of QM9 and the usual organic elements);
/// the capitalisation is not checked ("CL" is chlorine). Throws kInvalidArgument naming the symbol.
int64_t atomic_number(const std::string& symbol);

/// The symbol of Z ("C" for 6); throws kInvalidArgument for a Z atomic_number does not know.
std::string element_symbol(int64_t z);

/// Hill formula: C first, then H, then the rest alphabetically (all alphabetically without carbon);
/// a count of 1 is omitted: "C5H8O", "H2O", "ClH". Empty for no atoms.
std::string formula(const std::vector<int64_t>& atomic_numbers);

/// A formula written by a person, in the canonical form of formula(): "C5H8O1", "OC5H8" -> "C5H8O".
/// Throws kInvalidArgument naming the text when it is not a sequence of element symbols with counts.
std::string normalize_formula(const std::string& text);

}  // namespace esvgd::data
