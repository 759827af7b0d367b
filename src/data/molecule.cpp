#include "esvgd/data/molecule.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "esvgd/core/error.h"

namespace esvgd::data {

namespace {

// Index = Z. Only what molecule data in this library can hold; a wider table would just let typos
// through as exotic elements.
const char* const kSymbols[] = {"",   "H",  "He", "Li", "Be", "B", "C",  "N",  "O",  "F",
                                "Ne", "Na", "Mg", "Al", "Si", "P", "S",  "Cl", "Ar"};
constexpr int64_t kLastRow = 18;  // Ar; Br and I are added below
constexpr int64_t kBromine = 35, kIodine = 53;

// Hill order on element counts: C, H, then symbols alphabetically; with no carbon, all alphabetically
// (H included), which is the convention of CAS and of RDKit's CalcMolFormula.
std::string hill(const std::map<int64_t, int64_t>& counts) {
  std::vector<std::pair<std::string, int64_t>> parts;
  const bool carbon = counts.count(6) > 0;
  for (const auto& [z, n] : counts)
    if (!(carbon && (z == 6 || z == 1))) parts.emplace_back(element_symbol(z), n);
  std::sort(parts.begin(), parts.end());
  if (carbon) {
    auto h = counts.find(1);
    if (h != counts.end()) parts.insert(parts.begin(), {"H", h->second});
    parts.insert(parts.begin(), {"C", counts.at(6)});
  }
  std::string out;
  for (const auto& [sym, n] : parts) out += n == 1 ? sym : sym + std::to_string(n);
  return out;
}

}  // namespace

int64_t atomic_number(const std::string& symbol) {
  std::string s = symbol;
  for (size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<char>(i == 0 ? std::toupper(static_cast<unsigned char>(s[i]))
                                    : std::tolower(static_cast<unsigned char>(s[i])));
  for (int64_t z = 1; z <= kLastRow; ++z)
    if (s == kSymbols[z]) return z;
  if (s == "Br") return kBromine;
  if (s == "I") return kIodine;
  throw Error(ErrorKind::kInvalidArgument, "", "unknown element symbol '" + symbol + "'");
}

std::string element_symbol(int64_t z) {
  if (z >= 1 && z <= kLastRow) return kSymbols[z];
  if (z == kBromine) return "Br";
  if (z == kIodine) return "I";
  throw Error(ErrorKind::kInvalidArgument, "", "no element symbol known for atomic number " + std::to_string(z));
}

std::string formula(const std::vector<int64_t>& atomic_numbers) {
  std::map<int64_t, int64_t> counts;
  for (int64_t z : atomic_numbers) ++counts[z];
  return hill(counts);
}

std::string normalize_formula(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorKind::kInvalidArgument, "", "formula '" + text + "': " + why);
  };
  std::map<int64_t, int64_t> counts;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isupper(static_cast<unsigned char>(text[i])))
      throw bad("expected an element symbol at position " + std::to_string(i + 1));
    std::string sym(1, text[i++]);
    if (i < text.size() && std::islower(static_cast<unsigned char>(text[i]))) sym += text[i++];
    int64_t z = 0;
    try {
      z = atomic_number(sym);
    } catch (const Error&) {
      throw bad("unknown element '" + sym + "'");
    }
    const size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i - start > 6) throw bad("count of " + sym + " is too large");
    const int64_t n = i == start ? 1 : std::stoll(text.substr(start, i - start));
    if (n == 0) throw bad("count of " + sym + " is 0");
    counts[z] += n;
  }
  if (counts.empty()) throw bad("is empty");
  return hill(counts);
}

}  // namespace esvgd::data
