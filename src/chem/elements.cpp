#include "chem/elements.h"

#include "esvgd/core/error.h"
#include "esvgd/data/molecule.h"

namespace esvgd::chem {

bool is_supported_element(int64_t z) { return z == 1 || (z >= 6 && z <= 9); }

int max_valence(int64_t z) {
  switch (z) {
    case 1: return 1;
    case 6: return 4;
    case 7: return 3;
    case 8: return 2;
    case 9: return 1;
    default: break;
  }
  throw Error(ErrorKind::kInvalidArgument, "",
              detail::concat("unsupported element with atomic number ", z, "; supported: H(1) C(6) N(7) O(8) F(9)"));
}

std::string element_symbol(int64_t z) {
  return is_supported_element(z) ? data::element_symbol(z) : "Z=" + std::to_string(z);
}

}  // namespace esvgd::chem
