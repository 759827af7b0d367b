#pragma once
/// The elements the bond estimate knows (those of QM9): H, C, N, O, F with their usual maximum
/// valences H 1, C 4, N 3, O 2, F 1 (neutral atoms, no charges, no hypervalence).
#include <cstdint>
#include <string>

namespace esvgd::chem {

/// True for Z in {1, 6, 7, 8, 9}.
bool is_supported_element(int64_t z);

/// The number of bonds (counted with their order) a neutral atom of element z makes.
/// Throws esvgd::Error(kInvalidArgument) naming z and the supported elements otherwise.
int max_valence(int64_t z);

/// "H", "C", "N", "O", "F"; "Z=<z>" for any other z (never throws, so messages can use it).
std::string element_symbol(int64_t z);

}  // namespace esvgd::chem
