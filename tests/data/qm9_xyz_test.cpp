// QM9 molecules: the shipped C5H8O set, QM9's own per-molecule files, multi-frame XYZ reading and
// writing, selection by formula, and error messages that name the file and the line.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "core/test_util.h"
#include "esvgd/data/molecule.h"
#include "esvgd/data/qm9_xyz.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

// dsgdb9nsd_000001.xyz of the QM9 archive, as it is (tabs, the trailing tab on line 2).
const std::vector<std::string> kMethane = {
    "5",
    "gdb 1\t157.7118\t157.70997\t157.70699\t0.\t13.21\t-0.3877\t0.1171\t0.5048\t35.3641\t0.044749\t-40.47893\t"
    "-40.476062\t-40.475117\t-40.498597\t6.469\t",
    "C\t-0.0126981359\t 1.0858041578\t 0.0080009958\t-0.535689",
    "H\t 0.002150416\t-0.0060313176\t 0.0019761204\t 0.133921",
    "H\t 1.0117308433\t 1.4637511618\t 0.0002765748\t 0.133922",
    "H\t-0.540815069\t 1.4475266138\t-0.8766437152\t 0.133923",
    "H\t-0.5238136345\t 1.4379326443\t 0.9063972942\t 0.133923",
    "1341.307\t1341.3284\t1341.365\t1562.6731\t1562.7453\t3038.3205\t3151.6034\t3151.6788\t3151.7078",
    "C\tC\t",
    "InChI=1S/CH4/h1H4\tInChI=1S/CH4/h1H4",
};

// dsgdb9nsd_000003.xyz (water), same format.
const std::vector<std::string> kWater = {
    "3",
    "gdb 3\t799.58812\t437.90386\t282.94545\t1.8511\t6.31\t-0.2928\t0.0687\t0.3615\t19.0002\t0.021375\t-76.404702\t"
    "-76.401867\t-76.400922\t-76.422349\t6.002\t",
    "O\t-0.0343604951\t 0.9775395708\t 0.0076015923\t-0.589706",
    "H\t 0.0647664923\t 0.0205721989\t 0.0015346341\t 0.294853",
    "H\t 0.8717903737\t 1.3005924022\t 0.0006931336\t 0.294853",
    "1591.1338\t3718.8436\t3873.3131",
    "O\tO\t",
    "InChI=1S/H2O/h1H2\tInChI=1S/H2O/h1H2",
};

std::string join(const std::vector<std::string>& lines, const std::string& eol = "\n") {
  std::string s;
  for (const auto& l : lines) s += l + eol;
  return s;
}

data::Molecule molecule(std::vector<int64_t> z, torch::Tensor x, std::string name = "", std::string smiles = "",
                        std::string split = "") {
  data::Molecule m;
  m.atomic_numbers = std::move(z);
  m.positions = std::move(x);
  m.name = std::move(name);
  m.smiles = std::move(smiles);
  m.split = std::move(split);
  return m;
}

class Qm9Xyz : public ScratchDir {
 protected:
  // Writes lines as a file in the scratch dir and returns its path.
  std::string file(const std::string& name, const std::vector<std::string>& lines) {
    write_bytes(path(name), join(lines));
    return path(name);
  }
  // Methane with line `number` (1-based) replaced, or removed when `text` is absent.
  std::string methane_with(const std::string& name, size_t number, const std::string* text) {
    auto lines = kMethane;
    if (text)
      lines[number - 1] = *text;
    else
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(number - 1));
    return file(name, lines);
  }
  std::string methane_with(const std::string& name, size_t number, const std::string& text) {
    return methane_with(name, number, &text);
  }
};

TEST(Molecule, ElementSymbolsAndAtomicNumbers) {
  EXPECT_EQ(data::atomic_number("H"), 1);
  EXPECT_EQ(data::atomic_number("C"), 6);
  EXPECT_EQ(data::atomic_number("N"), 7);
  EXPECT_EQ(data::atomic_number("O"), 8);
  EXPECT_EQ(data::atomic_number("F"), 9);
  EXPECT_EQ(data::atomic_number("Cl"), 17);
  EXPECT_EQ(data::atomic_number("CL"), 17);
  EXPECT_EQ(data::atomic_number("Br"), 35);
  for (int64_t z : {1, 5, 6, 7, 8, 9, 14, 15, 16, 17, 35, 53}) EXPECT_EQ(data::atomic_number(data::element_symbol(z)), z);
  expect_error([] { data::atomic_number("Xx"); }, ErrorKind::kInvalidArgument, {"'Xx'"});
  expect_error([] { data::atomic_number(""); }, ErrorKind::kInvalidArgument, {"unknown element"});
  expect_error([] { data::element_symbol(0); }, ErrorKind::kInvalidArgument, {"atomic number 0"});
  expect_error([] { data::element_symbol(92); }, ErrorKind::kInvalidArgument, {"atomic number 92"});
}

TEST(Molecule, FormulaIsInHillOrder) {
  EXPECT_EQ(data::formula({6, 6, 6, 6, 6, 8, 1, 1, 1, 1, 1, 1, 1, 1}), "C5H8O");
  EXPECT_EQ(data::formula({8, 6, 1, 1, 6, 1, 1, 1, 1, 6, 1, 1, 6, 6}), "C5H8O");  // order of atoms does not matter
  EXPECT_EQ(data::formula({6, 1, 1, 1, 1}), "CH4");
  EXPECT_EQ(data::formula({6, 7, 1}), "CHN");
  EXPECT_EQ(data::formula({8, 1, 1}), "H2O");  // no carbon: all alphabetically
  EXPECT_EQ(data::formula({17, 1}), "ClH");
  EXPECT_EQ(data::formula({7, 7, 8}), "N2O");
  EXPECT_EQ(data::formula({}), "");
  EXPECT_EQ(data::normalize_formula("C5H8O1"), "C5H8O");
  EXPECT_EQ(data::normalize_formula("OC5H8"), "C5H8O");
  EXPECT_EQ(data::normalize_formula("H2O"), "H2O");
  EXPECT_EQ(data::normalize_formula("CH3CH2OH"), "C2H6O");
  expect_error([] { data::normalize_formula("C5X"); }, ErrorKind::kInvalidArgument, {"'C5X'", "unknown element 'X'"});
  expect_error([] { data::normalize_formula("c5h8o"); }, ErrorKind::kInvalidArgument, {"'c5h8o'", "position 1"});
  expect_error([] { data::normalize_formula("C5 H8"); }, ErrorKind::kInvalidArgument, {"position 3"});
  expect_error([] { data::normalize_formula("C0H4"); }, ErrorKind::kInvalidArgument, {"count of C is 0"});
  expect_error([] { data::normalize_formula(""); }, ErrorKind::kInvalidArgument, {"empty"});
}

TEST_F(Qm9Xyz, ShippedFileHolds48IsomersWithTheirSplits) {
  const auto mols = data::load_shipped_qm9();
  ASSERT_EQ(mols.size(), 48u);
  std::map<std::string, int> splits;
  std::set<std::string> smiles;
  int64_t last_id = 0;
  for (const auto& m : mols) {
    ASSERT_EQ(m.atomic_numbers.size(), 14u) << m.name;
    EXPECT_EQ(m.positions.sizes(), torch::IntArrayRef({14, 3})) << m.name;
    EXPECT_EQ(m.positions.scalar_type(), torch::kFloat64);
    EXPECT_EQ(data::formula(m.atomic_numbers), "C5H8O") << m.name;
    EXPECT_FALSE(m.smiles.empty()) << m.name;
    EXPECT_GT(m.gdb_id, last_id) << m.name << ": frames in QM9 order";
    last_id = m.gdb_id;
    char expected_name[32];
    std::snprintf(expected_name, sizeof expected_name, "dsgdb9nsd_%06lld", static_cast<long long>(m.gdb_id));
    EXPECT_EQ(m.name, expected_name);
    ++splits[m.split];
    smiles.insert(m.smiles);
    // Equilibrium geometries: the shortest distance is a C-H or O-H bond, no atom sits alone.
    auto d = torch::cdist(m.positions, m.positions) + 1e3 * torch::eye(14, torch::kFloat64);
    EXPECT_GT(d.min().item<double>(), 0.9) << m.name;
    EXPECT_LT(std::get<0>(d.min(1)).max().item<double>(), 1.6) << m.name;
  }
  EXPECT_EQ(smiles.size(), 48u) << "48 distinct constitutional isomers";
  EXPECT_EQ(splits, (std::map<std::string, int>{{"train", 35}, {"valid", 6}, {"test", 7}}));
  EXPECT_EQ(mols[0].name, "dsgdb9nsd_000222");
  EXPECT_EQ(mols[0].smiles, "C#CC(C)(C)O");
  EXPECT_EQ(mols[0].split, "train");
  EXPECT_EQ(mols[0].atomic_numbers, (std::vector<int64_t>{6, 6, 6, 8, 6, 6, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(mols[0].positions[0][0].item<double>(), -0.0352685581);
  EXPECT_DOUBLE_EQ(mols[0].positions[13][2].item<double>(), -3.0584087570);
}

TEST_F(Qm9Xyz, ShippedIndexAgreesWithTheXyzFile) {
  const auto mols = data::load_shipped_qm9();
  std::ifstream in(data::shipped_data_path("qm9/qm9_C5H8O1_index.csv"));
  ASSERT_TRUE(in) << "index file missing";
  std::string line;
  // The index was written by Python's csv module: CRLF line ends.
  auto next = [&] {
    if (!std::getline(in, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  };
  ASSERT_TRUE(next());
  EXPECT_EQ(line, "frame,gdb_id,qm9_name,n_atoms,formula,smiles,smiles_stereo_from_3d,egnn_split");
  size_t rows = 0;
  while (next()) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    ASSERT_EQ(f.size(), 8u) << line;
    const auto& m = mols.at(static_cast<size_t>(std::stoi(f[0])));
    EXPECT_EQ(std::to_string(m.gdb_id), f[1]);
    EXPECT_EQ(m.name, f[2]);
    EXPECT_EQ(std::to_string(m.atomic_numbers.size()), f[3]);
    EXPECT_EQ(data::formula(m.atomic_numbers), f[4]);
    EXPECT_EQ(m.smiles, f[5]);
    EXPECT_EQ(m.split, f[7]);
    ++rows;
  }
  EXPECT_EQ(rows, 48u);
}

TEST_F(Qm9Xyz, ReadsQm9MethaneFile) {
  const auto m = data::read_qm9_file(file("dsgdb9nsd_000001.xyz", kMethane));
  EXPECT_EQ(m.name, "dsgdb9nsd_000001");
  EXPECT_EQ(m.gdb_id, 1);
  EXPECT_EQ(m.smiles, "C");
  EXPECT_EQ(m.split, "");
  EXPECT_EQ(m.atomic_numbers, (std::vector<int64_t>{6, 1, 1, 1, 1}));
  EXPECT_EQ(data::formula(m.atomic_numbers), "CH4");
  ASSERT_EQ(m.positions.sizes(), torch::IntArrayRef({5, 3}));
  EXPECT_EQ(m.positions.scalar_type(), torch::kFloat64);
  EXPECT_DOUBLE_EQ(m.positions[0][0].item<double>(), -0.0126981359);
  EXPECT_DOUBLE_EQ(m.positions[0][1].item<double>(), 1.0858041578);
  EXPECT_DOUBLE_EQ(m.positions[1][0].item<double>(), 0.002150416);
  EXPECT_DOUBLE_EQ(m.positions[4][2].item<double>(), 0.9063972942);
  // C-H bonds of methane: 1.09 Å.
  auto ch = (m.positions.narrow(0, 1, 4) - m.positions[0]).norm(2, 1);
  EXPECT_NEAR(ch.min().item<double>(), 1.09, 0.01);
  EXPECT_NEAR(ch.max().item<double>(), 1.09, 0.01);
  // Windows line ends read the same.
  write_bytes(path("crlf.xyz"), join(kMethane, "\r\n"));
  const auto c = data::read_qm9_file(path("crlf.xyz"));
  EXPECT_TRUE(torch::equal(c.positions, m.positions));
  EXPECT_EQ(c.smiles, "C");
}

TEST_F(Qm9Xyz, ReadsMathematicaExponentsAndTakesTheRelaxedSmiles) {
  auto lines = kMethane;
  lines[1] = "gdb 1\t157.7118\t157.70997\t157.70699\t0.\t13.21\t-0.3877\t0.1171\t0.5048\t35.3641\t4.4749*^-2\t"
             "-40.47893\t-40.476062\t-40.475117\t-40.498597\t6.469";
  lines[3] = "H\t 2.150416*^-3\t-6.0313176*^-3\t 1.9761204*^-3\t 1.33921*^-1";
  lines[4] = "H\t 1.2345*^-6\t 1.4637511618\t 2.765748*^-4\t 0.133922";
  lines[8] = "[CH4]\tC";  // GDB-17 SMILES first, the relaxed geometry's second
  const auto m = data::read_qm9_file(file("dsgdb9nsd_000001.xyz", lines));
  EXPECT_DOUBLE_EQ(m.positions[1][0].item<double>(), 0.002150416);
  EXPECT_DOUBLE_EQ(m.positions[1][1].item<double>(), -0.0060313176);
  EXPECT_EQ(m.positions[2][0].item<double>(), 1.2345e-6);
  EXPECT_DOUBLE_EQ(m.positions[2][2].item<double>(), 0.0002765748);
  EXPECT_EQ(m.smiles, "C");
}

TEST_F(Qm9Xyz, Qm9FileErrorsNameTheFileAndTheLine) {
  using K = ErrorKind;
  expect_error([&] { data::read_qm9_file(path("nope.xyz")); }, K::kIo, {"nope.xyz", "no such file"});
  expect_error([&] { data::read_qm9_file(dir_.string()); }, K::kIo, {dir_.string(), "directory"});
  write_bytes(path("empty.xyz"), "");
  expect_error([&] { data::read_qm9_file(path("empty.xyz")); }, K::kFormat, {"empty.xyz", "line 1:", "empty"});

  struct Case {
    size_t line;
    std::string text;
    std::vector<std::string> needles;
  };
  const std::vector<Case> cases = {
      {1, "five", {"line 1:", "atom count 'five' is not an integer"}},
      {1, "0", {"line 1:", "atom count must be >= 1"}},
      {1, "5 atoms", {"line 1:", "alone on the line"}},
      {2, "gdb 1\t157.7", {"line 2:", "expected 17 fields", "got 3"}},
      {2, "xyz 1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", {"line 2:", "'gdb <id>'"}},
      {2, "gdb one 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", {"line 2:", "gdb id 'one' is not an integer"}},
      {2, "gdb 1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 1.5.5", {"line 2:", "property 15 '1.5.5' is not a number"}},
      {4, "H\t0.1\t0.2\t0.3", {"line 4:", "expected 5 fields", "got 4"}},
      {4, "H\t0.1\t0.2\t0.3\t0.1\t7", {"line 4:", "expected 5 fields", "got 6"}},
      {5, "Xx\t0.1\t0.2\t0.3\t0.1", {"line 5:", "unknown element 'Xx'"}},
      {3, "C\t1.0.3\t0.2\t0.3\t0.1", {"line 3:", "x coordinate '1.0.3' is not a number"}},
      {6, "H\t0.1\tabc\t0.3\t0.1", {"line 6:", "y coordinate 'abc' is not a number"}},
      {7, "H\t0.1\t0.2\tnan\t0.1", {"line 7:", "z coordinate 'nan' is not finite"}},
      {7, "H\t0.1\t0.2\t1*^999\t0.1", {"line 7:", "z coordinate '1*^999' is not finite"}},
      {7, "H\t0.1\t0.2\t0.3\tq", {"line 7:", "Mulliken charge 'q' is not a number"}},
      {1, "4", {"line 7:", "harmonic frequencies", "atom count 4"}},
      {1, "6", {"line 8:", "expected 5 fields"}},
      {8, "", {"line 8:", "harmonic frequencies", "empty line"}},
      {9, "C", {"line 9:", "two SMILES", "got 1"}},
      {10, "InChI=1S/CH4/h1H4", {"line 10:", "two InChI"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("line " + std::to_string(c.line) + " = '" + c.text + "'");
    const auto p = methane_with("dsgdb9nsd_000001.xyz", c.line, c.text);
    try {
      data::read_qm9_file(p);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), K::kFormat) << e.what();
      EXPECT_EQ(e.where(), p);
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind(p + ": line ", 0), 0u) << msg;
      for (const auto& n : c.needles) EXPECT_NE(msg.find(n), std::string::npos) << "'" << n << "' not in: " << msg;
    }
  }

  // Truncated files: cut after the second atom, after the frequencies, after the SMILES.
  const auto cut = [&](size_t keep) {
    return file("cut.xyz", std::vector<std::string>(kMethane.begin(), kMethane.begin() + static_cast<std::ptrdiff_t>(keep)));
  };
  expect_error([&] { data::read_qm9_file(cut(1)); }, K::kFormat, {"cut.xyz", "line 2:", "file ends"});
  expect_error([&] { data::read_qm9_file(cut(4)); }, K::kFormat, {"cut.xyz", "line 5:", "file ends after 2 of 5 atom lines"});
  expect_error([&] { data::read_qm9_file(cut(7)); }, K::kFormat, {"cut.xyz", "line 8:", "harmonic frequencies"});
  expect_error([&] { data::read_qm9_file(cut(8)); }, K::kFormat, {"cut.xyz", "line 9:", "missing SMILES line"});
  expect_error([&] { data::read_qm9_file(cut(9)); }, K::kFormat, {"cut.xyz", "line 10:", "missing InChI line"});
  // Trailing blank lines are fine, trailing text is not.
  auto extra = kMethane;
  extra.push_back("");
  extra.push_back("  \t");
  EXPECT_NO_THROW(data::read_qm9_file(file("blank.xyz", extra)));
  extra.push_back("5");
  expect_error([&] { data::read_qm9_file(file("extra.xyz", extra)); }, K::kFormat, {"extra.xyz", "line 13:", "after the InChI"});
}

TEST_F(Qm9Xyz, ReadsMultiFrameXyzWithLabels) {
  const auto p = file("two.xyz", {
                                     "3",
                                     "gdb_id=3 name=\"water molecule\" smiles=O egnn_split=valid energy=-76.4 free text",
                                     "O\t-0.0343604951\t0.9775395708\t0.0076015923",
                                     "H  0.0647664923   0.0205721989   0.0015346341   0.294853  extra",
                                     "1  0.8717903737   1.3005924022   0.0006931336",
                                     "",
                                     "2",
                                     "",
                                     "C 0 0 0",
                                     "o 0 0 1.2e0",
                                     "",
                                 });
  const auto mols = data::read_xyz_frames(p);
  ASSERT_EQ(mols.size(), 2u);
  EXPECT_EQ(mols[0].gdb_id, 3);
  EXPECT_EQ(mols[0].name, "water molecule");
  EXPECT_EQ(mols[0].smiles, "O");
  EXPECT_EQ(mols[0].split, "valid");
  EXPECT_EQ(mols[0].atomic_numbers, (std::vector<int64_t>{8, 1, 1}));
  EXPECT_DOUBLE_EQ(mols[0].positions[2][1].item<double>(), 1.3005924022);
  EXPECT_EQ(mols[1].name, "");
  EXPECT_EQ(mols[1].smiles, "");
  EXPECT_EQ(mols[1].split, "");
  EXPECT_EQ(mols[1].gdb_id, 0);
  EXPECT_EQ(mols[1].atomic_numbers, (std::vector<int64_t>{6, 8}));
  EXPECT_DOUBLE_EQ(mols[1].positions[1][2].item<double>(), 1.2);
  // SMILES keep their own '=' signs.
  const auto q = data::read_xyz_frames(file("one.xyz", {"1", "smiles=C=O name=x", "C 0 0 0"}));
  EXPECT_EQ(q[0].smiles, "C=O");
  EXPECT_EQ(q[0].name, "x");
}

TEST_F(Qm9Xyz, XyzFrameErrorsNameTheFileAndTheLine) {
  using K = ErrorKind;
  const std::vector<std::string> good = {"2", "name=a", "C 0 0 0", "O 0 0 1.2", "1", "name=b", "H 0 0 0"};
  auto with = [&](size_t line, const std::string& text) {
    auto l = good;
    l[line - 1] = text;
    return file("frames.xyz", l);
  };
  expect_error([&] { data::read_xyz_frames(path("none.xyz")); }, K::kIo, {"none.xyz", "no such file"});
  expect_error([&] { data::read_xyz_frames(file("blank.xyz", {"", " "})); }, K::kFormat, {"blank.xyz", "line 1:", "no frame"});
  expect_error([&] { data::read_xyz_frames(with(5, "one")); }, K::kFormat, {"frames.xyz", "line 5:", "atom count 'one'"});
  expect_error([&] { data::read_xyz_frames(with(1, "-2")); }, K::kFormat, {"frames.xyz", "line 1:", ">= 1"});
  expect_error([&] { data::read_xyz_frames(with(1, "3")); }, K::kFormat,
               {"frames.xyz", "line 5:", "expected an atom line", "got 1"});
  expect_error([&] { data::read_xyz_frames(with(4, "O 0 0")); }, K::kFormat, {"frames.xyz", "line 4:", "got 3 fields"});
  expect_error([&] { data::read_xyz_frames(with(7, "Qq 0 0 0")); }, K::kFormat, {"frames.xyz", "line 7:", "unknown element 'Qq'"});
  expect_error([&] { data::read_xyz_frames(with(7, "120 0 0 0")); }, K::kFormat, {"frames.xyz", "line 7:", "unknown element '120'"});
  expect_error([&] { data::read_xyz_frames(with(3, "C 0 x 0")); }, K::kFormat, {"frames.xyz", "line 3:", "y coordinate 'x' is not a number"});
  expect_error([&] { data::read_xyz_frames(with(4, "O 0 0 inf")); }, K::kFormat, {"frames.xyz", "line 4:", "not finite"});
  expect_error([&] { data::read_xyz_frames(with(6, "gdb_id=abc")); }, K::kFormat, {"frames.xyz", "line 6:", "gdb_id 'abc'"});
  expect_error([&] { data::read_xyz_frames(with(5, "3")); }, K::kFormat,
               {"frames.xyz", "line 8:", "file ends after 1 of 3 atom lines of frame 2"});
  expect_error([&] { data::read_xyz_frames(file("nocomment.xyz", {"2", "name=a", "C 0 0 0", "O 0 0 1.2", "1"})); },
               K::kFormat, {"nocomment.xyz", "line 6:", "comment line of frame 2"});
}

TEST_F(Qm9Xyz, WriteThenReadRoundTrips) {
  const auto mols = data::load_shipped_qm9();
  data::write_xyz_frames(path("copy.xyz"), mols);
  // Same layout as the shipped file, so the copy is byte for byte the original.
  EXPECT_EQ(read_bytes(path("copy.xyz")), read_bytes(data::shipped_data_path("qm9/qm9_C5H8O1.xyz")));
  const auto back = data::read_xyz_frames(path("copy.xyz"));
  ASSERT_EQ(back.size(), mols.size());
  for (size_t i = 0; i < mols.size(); ++i) {
    EXPECT_EQ(back[i].atomic_numbers, mols[i].atomic_numbers);
    EXPECT_TRUE(torch::equal(back[i].positions, mols[i].positions)) << i;
    EXPECT_EQ(back[i].name, mols[i].name);
    EXPECT_EQ(back[i].smiles, mols[i].smiles);
    EXPECT_EQ(back[i].split, mols[i].split);
    EXPECT_EQ(back[i].gdb_id, mols[i].gdb_id);
  }

  // Arbitrary coordinates survive to 10 decimals; labels with spaces are quoted; no labels, no comment.
  auto gen = make_gen(3);
  const auto a = molecule({6, 8, 1, 1}, torch::randn({4, 3}, gen, torch::kFloat64) * 5, "my molecule", "C=O", "test");
  const auto b = molecule({9}, torch::zeros({1, 3}, torch::kFloat64));
  data::write_xyz_frames(path("ab.xyz"), {a, b});
  const auto ab = data::read_xyz_frames(path("ab.xyz"));
  ASSERT_EQ(ab.size(), 2u);
  EXPECT_LT((ab[0].positions - a.positions).abs().max().item<double>(), 0.51e-10);
  EXPECT_EQ(ab[0].name, "my molecule");
  EXPECT_EQ(ab[0].smiles, "C=O");
  EXPECT_EQ(ab[0].split, "test");
  EXPECT_EQ(ab[1].atomic_numbers, (std::vector<int64_t>{9}));
  EXPECT_EQ(ab[1].name, "");
  std::istringstream lines(read_bytes(path("ab.xyz")));
  std::string l;
  std::vector<std::string> all;
  while (std::getline(lines, l)) all.push_back(l);
  ASSERT_EQ(all.size(), 9u);
  EXPECT_EQ(all[1], "name=\"my molecule\" smiles=C=O egnn_split=test");
  EXPECT_EQ(all[7], "");

  // Own comments go in as they are.
  data::write_xyz_frames(path("own.xyz"), {a, b}, {"first frame", "second"});
  const auto own = read_bytes(path("own.xyz"));
  EXPECT_NE(own.find("\nfirst frame\n"), std::string::npos);
  EXPECT_EQ(data::read_xyz_frames(path("own.xyz"))[0].name, "");
}

TEST_F(Qm9Xyz, WriteRejectsBadMoleculesAndLeavesNoFile) {
  auto gen = make_gen(4);
  const auto ok = molecule({6, 1}, torch::randn({2, 3}, gen, torch::kFloat64));
  const auto out = path("out.xyz");
  auto expect_rejected = [&](const std::vector<data::Molecule>& ms, const std::vector<std::string>& comments,
                             const std::string& needle) {
    expect_error([&] { data::write_xyz_frames(out, ms, comments); }, ErrorKind::kInvalidArgument, {needle});
    EXPECT_FALSE(std::filesystem::exists(out)) << needle;
  };
  expect_rejected({ok, ok}, {"only one"}, "1 comments for 2 molecules");
  expect_rejected({ok}, {"two\nlines"}, "line break");
  expect_rejected({ok, molecule({6, 1, 1}, torch::zeros({2, 3}, torch::kFloat64))}, {}, "molecule 1: positions must be [3, 3]");
  expect_rejected({molecule({}, torch::zeros({0, 3}, torch::kFloat64))}, {}, "molecule 0 has no atoms");
  expect_rejected({molecule({6}, torch::full({1, 3}, NAN, torch::kFloat64))}, {}, "non-finite");
  expect_rejected({molecule({6, 0}, torch::zeros({2, 3}, torch::kFloat64))}, {}, "molecule 0, atom 1");
  expect_rejected({molecule({6}, torch::zeros({1, 3}, torch::kFloat64), "a\"b")}, {}, "quote");
  EXPECT_EQ(entries().size(), 0u) << "no temporary left behind";
}

TEST_F(Qm9Xyz, DirectorySelectsMoleculesByFormula) {
  const auto d = dir_ / "qm9";
  std::filesystem::create_directories(d);
  auto put = [&](const std::string& name, const std::vector<std::string>& lines) {
    write_bytes((d / name).string(), join(lines));
  };
  put("dsgdb9nsd_000003.xyz", kWater);
  put("dsgdb9nsd_000001.xyz", kMethane);
  auto methane2 = kMethane;
  methane2[1].replace(4, 1, "9");  // "gdb 9"
  put("dsgdb9nsd_000009.xyz", methane2);
  put("README.txt", {"not a molecule"});
  std::filesystem::create_directories(d / "sub.xyz");  // a directory is not a file to read

  const auto ch4 = data::read_qm9_directory(d.string(), "CH4");
  ASSERT_EQ(ch4.size(), 2u);
  EXPECT_EQ(ch4[0].name, "dsgdb9nsd_000001");
  EXPECT_EQ(ch4[1].name, "dsgdb9nsd_000009");
  EXPECT_EQ(ch4[1].gdb_id, 9);
  const auto water = data::read_qm9_directory(d.string(), "H2O1");
  ASSERT_EQ(water.size(), 1u);
  EXPECT_EQ(water[0].atomic_numbers, (std::vector<int64_t>{8, 1, 1}));
  EXPECT_EQ(water[0].smiles, "O");

  expect_error([&] { data::read_qm9_directory(d.string(), "C5H8O1"); }, ErrorKind::kInvalidArgument,
               {d.string(), "no molecule with formula C5H8O", "3 .xyz files"});
  expect_error([&] { data::read_qm9_directory(d.string(), "C5Q"); }, ErrorKind::kInvalidArgument, {"'C5Q'"});
  expect_error([&] { data::read_qm9_directory((dir_ / "missing").string(), "CH4"); }, ErrorKind::kIo,
               {(dir_ / "missing").string(), "no such directory"});
  expect_error([&] { data::read_qm9_directory((d / "README.txt").string(), "CH4"); }, ErrorKind::kIo,
               {"README.txt", "not a directory"});
  std::filesystem::create_directories(dir_ / "empty");
  expect_error([&] { data::read_qm9_directory((dir_ / "empty").string(), "CH4"); }, ErrorKind::kIo,
               {(dir_ / "empty").string(), "no .xyz file"});
  // A broken file stops the scan and is named.
  auto broken = kMethane;
  broken[4] = "H 1 2";
  put("dsgdb9nsd_000005.xyz", broken);
  expect_error([&] { data::read_qm9_directory(d.string(), "CH4"); }, ErrorKind::kFormat,
               {"dsgdb9nsd_000005.xyz", "line 5:"});
}

}  // namespace
}  // namespace esvgd::test
