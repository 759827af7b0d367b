#pragma once
/// QM9 molecules from xyz files: QM9's own per-molecule files (the figshare archive), standard
/// multi-frame XYZ (what data/qm9 ships, see data/qm9/SOURCES.md), and a writer for the latter.
///
/// Every reader error is esvgd::Error whose message starts with the file and the line:
/// "<path>: line 7: expected 5 fields ...": kIo for a file that cannot be read, kFormat for content.
#include <string>
#include <vector>

#include "esvgd/data/molecule.h"
#include "esvgd/data/shipped_data.h"

namespace esvgd::data {

/// One file of the QM9 archive (dsgdb9nsd_NNNNNN.xyz): atom count; "gdb <id>" and 15 properties;
/// n lines "Sym x y z mulliken_charge"; harmonic frequencies; two SMILES; two InChI. Fields may be
/// separated by tabs or spaces, and numbers may use Mathematica exponents ("1.2345*^-6").
/// name = the file's stem, gdb_id from line 2, smiles = the second SMILES (the one of the relaxed
/// B3LYP geometry, which is the geometry of the coordinates; the first is the GDB-17 input, which
/// differs for molecules that changed during relaxation). The properties, charges and frequencies
/// are checked to be numbers and then dropped.
Molecule read_qm9_file(const std::string& path);

/// A multi-frame XYZ file: per frame a count line, a comment line and n lines "Sym x y z" (further
/// columns are ignored; a Z instead of the symbol is accepted). Blank lines between frames and at
/// the end are skipped. key=value pairs in the comment set name=, smiles=, egnn_split= (-> split)
/// and gdb_id=; a value may be double-quoted to hold spaces. Other comment text is ignored.
std::vector<Molecule> read_xyz_frames(const std::string& path);

/// Writes molecules as multi-frame XYZ, atomically, coordinates with 10 decimals. Frame i's comment
/// is comments[i] when comments are given (one per molecule, no line breaks), else the key=value
/// pairs read_xyz_frames understands, for the fields that are set; so the file reads back the same.
void write_xyz_frames(const std::string& path, const std::vector<Molecule>& molecules,
                      const std::vector<std::string>& comments = {});

/// Every *.xyz file of dir (in file name order) read with read_qm9_file, keeping the molecules whose
/// formula is `formula` (any spelling normalize_formula accepts: "C5H8O1" or "C5H8O"). Errors: dir
/// missing or holding no .xyz file (kIo), nothing of that formula (kInvalidArgument), a bad file
/// (as read_qm9_file).
std::vector<Molecule> read_qm9_directory(const std::string& dir, const std::string& formula);

/// The 48 C5H8O constitutional isomers of QM9 shipped in data/qm9/qm9_C5H8O1.xyz, in QM9 order,
/// each with name, gdb_id, SMILES and its EGNN split (35 train / 6 valid / 7 test).
std::vector<Molecule> load_shipped_qm9();

}  // namespace esvgd::data
