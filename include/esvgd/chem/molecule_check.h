#pragma once
/// Is an estimated bond graph a molecule, and which one: the bridge to RDKit (sanitisation,
/// canonical SMILES, depiction). RDKit stays inside src/chem; nothing here exposes its types.
#include <string>
#include <vector>

#include "esvgd/chem/bond_estimation.h"

namespace esvgd::chem {

/// What to_smiles found. `smiles` is filled whenever RDKit could sanitise the graph, also for an
/// invalid one (e.g. "C.[H]" or "[CH2]C=O"), so that figures can show it; only `valid` decides
/// whether a sample counts as a molecule.
struct SmilesResult {
  bool valid = false;
  std::string smiles;  ///< canonical, hydrogens implicit, no stereo; empty when sanitisation failed
  std::string error;   ///< empty when valid; else every rule that failed, joined by "; "
};

/// The molecule of a bond graph. Atoms are built with exactly the hydrogens of the graph (no
/// implicit H), bonds with their orders; RDKit sanitises it, the H atoms are removed and the
/// canonical SMILES without stereo is written (round-tripped through canonical_smiles, so it
/// compares equal to canonical_smiles of a reference SMILES of the same molecule).
/// valid = sanitisation succeeds (else error = "RDKit: <its message>"), AND the molecule is one
/// connected fragment (else "<k> fragments"), AND no atom has unspent valence, i.e. a radical
/// (else "unspent valence on atom 3 (C)" / "unspent valence on atoms 3 (C), 12 (H)"; counted from
/// the bonds and max_valence, not from graph.free_valence). An empty graph is invalid ("empty molecule").
/// Throws esvgd::Error(kInvalidArgument) only for a malformed graph: an unsupported element, a bond
/// index out of range, a bond of an atom to itself, a pair bonded twice, an order outside 1..3.
SmilesResult to_smiles(const BondGraph& graph);

/// The canonical SMILES (no stereo, no isotopes) of any SMILES, e.g. a reference from QM9:
/// canonical_smiles("OC(C)C=CC") == canonical_smiles("C/C=C/[C@H](C)O") == "CC=CC(C)O".
/// Throws esvgd::Error(kInvalidArgument) naming the input when it is empty or RDKit cannot parse
/// or sanitise it.
std::string canonical_smiles(const std::string& smiles);

/// A PNG grid of 2-D depictions (RDKit MolDraw2DCairo, layout by RDKit), `columns` panels per row
/// (fewer when there are fewer molecules), panel_px square panels, as Figure 13 of the paper (8×8
/// for 64 molecules). results[i] belongs to molecules[i]; pass an empty vector to have them
/// computed with to_smiles. A valid molecule is drawn without its H atoms and labelled with its
/// SMILES; an invalid one is drawn with all its atoms (so stray H atoms and radicals show),
/// tinted red, the atoms with unspent valence in a stronger red, and labelled
/// "invalid: <reason>" (wrapped to two lines, cut with "..."). Chemically impossible or malformed
/// graphs never make it throw: bonds that cannot be drawn are dropped, and if RDKit still refuses,
/// the bare atoms are drawn; a graph without atoms leaves its panel blank (RDKit then draws no
/// legend either). The file is written atomically.
/// Throws esvgd::Error: kInvalidArgument for no molecules, results of another size, columns < 1 or
/// panel_px outside 50..2000; kIo when the file cannot be written.
void draw_molecule_grid(const std::string& png_path, const std::vector<BondGraph>& molecules,
                        const std::vector<SmilesResult>& results = {}, int columns = 8, int panel_px = 250);

}  // namespace esvgd::chem
