// draw_molecule_grid (declared in molecule_check.h): one RDKit Cairo canvas split into panels.
#include <algorithm>
#include <map>

#include <GraphMol/MolDraw2D/MolDraw2DCairo.h>
#include <GraphMol/MolDraw2D/MolDraw2DUtils.h>
#include <GraphMol/MolOps.h>

#include "esvgd/chem/molecule_check.h"
#include "core/atomic_file.h"
#include "esvgd/core/error.h"
#include "rdkit_bridge.h"

namespace esvgd::chem {
namespace {

// Legends are at most two lines of about 36 characters: longer RDKit messages would be shrunk to
// an unreadable size, and the panel only needs the gist.
constexpr size_t kLegendLine = 36;
constexpr int kLegendLines = 2;

std::string wrap_legend(const std::string& text) {
  std::string out, line, word;
  int lines = 1;
  auto flush_word = [&]() -> bool {  // false once the legend is full
    if (word.empty()) return true;
    if (!line.empty() && line.size() + 1 + word.size() > kLegendLine) {
      if (lines == kLegendLines) {
        out += line.substr(0, kLegendLine - 3) + "...";
        line.clear();
        return false;
      }
      out += line + "\n";
      line.clear();
      ++lines;
    }
    line += (line.empty() ? "" : " ") + word.substr(0, kLegendLine);
    word.clear();
    return true;
  };
  for (char c : text) {
    if (c == ' ' || c == '\n') {
      if (!flush_word()) return out;
    } else {
      word += c;
    }
  }
  if (!flush_word()) return out;
  return out + line;
}

/// A panel that can always be drawn: the graph's atoms without bonds, or nothing at all.
std::unique_ptr<RDKit::RWMol> bare_atoms(const BondGraph& graph) {
  BondGraph atoms_only;
  atoms_only.atomic_numbers = graph.atomic_numbers;
  try {
    auto mol = detail::build_rwmol(atoms_only, /*lenient=*/true);
    mol->updatePropertyCache(false);
    RDKit::MolDraw2DUtils::prepareMolForDrawing(*mol, false, false, false);
    return mol;
  } catch (const std::exception&) {
    return std::make_unique<RDKit::RWMol>();
  }
}

/// The molecule as it should appear: a valid one sanitised, H atoms removed and kekulised (the
/// usual depiction); an invalid one as built, with every atom, neither sanitised nor kekulised
/// (both can fail on garbage).
std::unique_ptr<RDKit::RWMol> drawable(const BondGraph& graph, bool valid) {
  if (valid) {
    try {
      auto mol = detail::build_rwmol(graph, /*lenient=*/false);
      RDKit::MolOps::sanitizeMol(*mol);
      RDKit::MolOps::removeHs(*mol);
      RDKit::MolDraw2DUtils::prepareMolForDrawing(*mol);
      return mol;
    } catch (const std::exception&) {
      // a result that claims validity for a graph RDKit rejects: draw it like an invalid one
    }
  }
  try {
    auto mol = detail::build_rwmol(graph, /*lenient=*/true);
    mol->updatePropertyCache(false);
    RDKit::MolDraw2DUtils::prepareMolForDrawing(*mol, /*kekulize=*/false, /*addChiralHs=*/false,
                                                /*wedgeBonds=*/false);
    return mol;
  } catch (const std::exception&) {
    return bare_atoms(graph);
  }
}

}  // namespace

void draw_molecule_grid(const std::string& png_path, const std::vector<BondGraph>& molecules,
                        const std::vector<SmilesResult>& results, int columns, int panel_px) {
  ESVGD_CHECK(!molecules.empty(), "molecule grid ", png_path, ": no molecules to draw");
  ESVGD_CHECK(results.empty() || results.size() == molecules.size(), "molecule grid ", png_path, ": ",
              molecules.size(), " molecules but ", results.size(), " results");
  ESVGD_CHECK(columns >= 1, "molecule grid ", png_path, ": columns must be >= 1, got ", columns);
  ESVGD_CHECK(panel_px >= 50 && panel_px <= 2000, "molecule grid ", png_path,
              ": panel_px must be in 50..2000, got ", panel_px);

  const size_t n = molecules.size();
  std::vector<std::unique_ptr<RDKit::RWMol>> mols;
  std::vector<std::string> legends;
  std::vector<std::vector<int>> highlight_atoms(n);
  std::vector<std::map<int, RDKit::DrawColour>> atom_colours(n);
  std::vector<std::map<int, double>> radii(n);
  const RDKit::DrawColour pale_red(1.0, 0.8, 0.8), red(1.0, 0.35, 0.35);
  for (size_t i = 0; i < n; ++i) {
    SmilesResult r;
    if (!results.empty()) {
      r = results[i];
    } else {
      try {
        r = to_smiles(molecules[i]);
      } catch (const Error& e) {
        r.error = e.what();  // malformed graph: still gets a panel
      }
    }
    mols.push_back(drawable(molecules[i], r.valid));
    legends.push_back(r.valid ? r.smiles : wrap_legend("invalid: " + (r.error.empty() ? "unknown" : r.error)));
    if (r.valid) continue;
    const auto left = detail::unspent_valence(molecules[i]);
    for (int a = 0; a < static_cast<int>(mols.back()->getNumAtoms()); ++a) {
      const bool unspent = a < static_cast<int>(left.size()) && left[a] > 0;
      highlight_atoms[i].push_back(a);
      atom_colours[i][a] = unspent ? red : pale_red;
      radii[i][a] = unspent ? 0.5 : 0.3;
    }
  }

  const int cols = static_cast<int>(std::min<size_t>(static_cast<size_t>(columns), n));
  const int rows = static_cast<int>((n + cols - 1) / cols);
  std::string png;
  try {
    RDKit::MolDraw2DCairo drawer(cols * panel_px, rows * panel_px, panel_px, panel_px);
    drawer.drawOptions().prepareMolsBeforeDrawing = false;  // done above, per molecule, safely
    drawer.drawOptions().legendFontSize = 14;
    drawer.drawOptions().legendFraction = 0.16;  // room for two lines
    std::vector<RDKit::ROMol*> ptrs;
    for (auto& m : mols) ptrs.push_back(m.get());
    drawer.drawMolecules(ptrs, &legends, &highlight_atoms, nullptr, &atom_colours, nullptr, &radii);
    drawer.finishDrawing();
    png = drawer.getDrawingText();
  } catch (const std::exception& e) {
    throw Error(ErrorKind::kInternal, png_path, std::string("RDKit could not draw the molecule grid: ") + e.what());
  }
  core::write_atomic(png_path, [&](std::ostream& os) { os.write(png.data(), static_cast<std::streamsize>(png.size())); });
}

}  // namespace esvgd::chem
