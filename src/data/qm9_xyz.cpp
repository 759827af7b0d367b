#include "esvgd/data/qm9_xyz.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <torch/types.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"

namespace esvgd::data {

namespace {

namespace fs = std::filesystem;

constexpr int kQm9Properties = 15;  // A B C mu alpha homo lumo gap r2 zpve U0 U H G Cv

// What a reader collects before it becomes a Molecule: read_qm9_directory drops most files of the
// archive by formula, so the tensor is only made for the ones it keeps.
struct Parsed {
  std::vector<int64_t> z;
  std::vector<double> xyz;
  std::string name, smiles, split;
  int64_t gdb_id = 0;
};

Molecule to_molecule(Parsed&& p) {
  Molecule m;
  const auto n = static_cast<int64_t>(p.z.size());
  m.positions = torch::tensor(p.xyz, torch::kFloat64).view({n, 3});
  m.atomic_numbers = std::move(p.z);
  m.name = std::move(p.name);
  m.smiles = std::move(p.smiles);
  m.split = std::move(p.split);
  m.gdb_id = p.gdb_id;
  return m;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool is_blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return is_space(c); });
}

// The file's lines with '\r' line ends removed and, for a file that ends in a newline, no empty last
// line; line k of the file is lines[k - 1].
class Lines {
 public:
  explicit Lines(const std::string& path) : path_(path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorKind::kIo, path, "no such file");
    if (fs::is_directory(path, ec)) throw Error(ErrorKind::kIo, path, "is a directory, expected an xyz file");
    const std::string text = core::read_text(path);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(std::move(line));
      start = end + 1;
    }
  }
  size_t size() const { return lines_.size(); }
  bool has(size_t number) const { return number >= 1 && number <= lines_.size(); }
  const std::string& operator[](size_t number) const { return lines_[number - 1]; }
  const std::string& path() const { return path_; }

  Error fail(size_t number, const std::string& what) const {
    return Error(ErrorKind::kFormat, path_, "line " + std::to_string(number) + ": " + what);
  }

  // A number: C syntax or Mathematica's "1.2345*^-6" (QM9 writes a few values that way). Finite,
  // because nothing downstream can use an infinite coordinate or energy.
  double number(size_t line, const std::string& token, const std::string& what) const {
    std::string s = token;
    const auto k = s.find("*^");
    if (k != std::string::npos) s.replace(k, 2, "e");
    const char* begin = s.c_str();
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(begin, &end);
    if (s.empty() || end != begin + s.size()) throw fail(line, what + " '" + token + "' is not a number");
    if (!std::isfinite(v)) throw fail(line, what + " '" + token + "' is not finite");
    return v;
  }

  int64_t integer(size_t line, const std::string& token, const std::string& what) const {
    int64_t v = 0;
    const auto r = std::from_chars(token.data(), token.data() + token.size(), v);
    if (r.ec != std::errc() || r.ptr != token.data() + token.size())
      throw fail(line, what + " '" + token + "' is not an integer");
    return v;
  }

  // The atom count on a line by itself.
  int64_t count(size_t line) const {
    const auto f = split_fields(lines_[line - 1]);
    if (f.size() != 1)
      throw fail(line, "expected the atom count alone on the line, got " + std::to_string(f.size()) + " fields");
    const int64_t n = integer(line, f[0], "atom count");
    if (n < 1) throw fail(line, "atom count must be >= 1, got " + f[0]);
    return n;
  }

  // Element and coordinates from the fields of an atom line into `out`.
  void atom(size_t line, const std::vector<std::string>& f, Parsed& out) const {
    const std::string& sym = f[0];
    int64_t z = 0;
    try {
      if (std::all_of(sym.begin(), sym.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        z = integer(line, sym, "atomic number");
        element_symbol(z);  // throws for a Z we do not know
      } else {
        z = atomic_number(sym);
      }
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kFormat) throw;
      throw fail(line, "unknown element '" + sym + "'");
    }
    out.z.push_back(z);
    static const char* const kAxis[] = {"x", "y", "z"};
    for (int d = 0; d < 3; ++d) out.xyz.push_back(number(line, f[1 + d], std::string(kAxis[d]) + " coordinate"));
  }

 private:
  std::string path_;
  std::vector<std::string> lines_;
};

// Line 2: 'gdb <id>' and the properties, checked as numbers and not kept.
void parse_qm9_properties(const Lines& L, Parsed& p) {
  if (!L.has(2)) throw L.fail(2, "file ends before the 'gdb <id> <properties>' line");
  const auto props = split_fields(L[2]);
  if (props.empty() || props[0] != "gdb")
    throw L.fail(2, "expected 'gdb <id>' and " + std::to_string(kQm9Properties) + " properties, got '" + L[2] + "'");
  if (props.size() != 2 + kQm9Properties)
    throw L.fail(2, "expected " + std::to_string(2 + kQm9Properties) + " fields ('gdb <id>' and " +
                        std::to_string(kQm9Properties) + " properties), got " + std::to_string(props.size()));
  p.gdb_id = L.integer(2, props[1], "gdb id");
  if (p.gdb_id < 1) throw L.fail(2, "gdb id must be >= 1, got " + props[1]);
  for (int k = 0; k < kQm9Properties; ++k) L.number(2, props[2 + k], "property " + std::to_string(k + 1));
}

// Atom lines; a count that is too small shows at the frequencies line, one too large here.
void parse_qm9_atoms(const Lines& L, int64_t n, Parsed& p) {
  p.z.reserve(static_cast<size_t>(std::min<int64_t>(n, 1024)));
  for (int64_t a = 0; a < n; ++a) {
    const size_t line = 3 + static_cast<size_t>(a);
    if (!L.has(line))
      throw L.fail(line, "file ends after " + std::to_string(a) + " of " + std::to_string(n) + " atom lines");
    const auto f = split_fields(L[line]);
    if (f.size() != 5)
      throw L.fail(line, "expected 5 fields (symbol x y z mulliken_charge), got " + std::to_string(f.size()));
    L.atom(line, f, p);
    L.number(line, f[4], "Mulliken charge");
  }
}

// The harmonic frequencies at `line`, checked as numbers and not kept.
void check_qm9_frequencies(const Lines& L, size_t line, int64_t n) {
  if (!L.has(line)) throw L.fail(line, "file ends before the harmonic frequencies line");
  const auto freq = split_fields(L[line]);
  if (freq.empty()) throw L.fail(line, "expected the harmonic frequencies, got an empty line");
  for (const auto& v : freq) {
    try {
      L.number(line, v, "frequency");
    } catch (const Error&) {
      throw L.fail(line, "expected the harmonic frequencies, got '" + v + "' (does the atom count " +
                             std::to_string(n) + " on line 1 match the atom lines?)");
    }
  }
}

// The SMILES line at `line` (the relaxed one is kept), the InChI line after it, then only blank lines.
void parse_qm9_identifiers(const Lines& L, size_t line, Parsed& p) {
  if (!L.has(line)) throw L.fail(line, "missing SMILES line: the file ends after the harmonic frequencies");
  const auto smiles = split_fields(L[line]);
  if (smiles.size() != 2)
    throw L.fail(line, "expected two SMILES (GDB-17 and relaxed B3LYP), got " + std::to_string(smiles.size()) +
                           " fields");
  p.smiles = smiles[1];

  ++line;
  if (!L.has(line)) throw L.fail(line, "missing InChI line: the file ends after the SMILES");
  const auto inchi = split_fields(L[line]);
  if (inchi.size() != 2 || inchi[0].rfind("InChI=", 0) != 0 || inchi[1].rfind("InChI=", 0) != 0)
    throw L.fail(line, "expected two InChI strings (GDB-17 and relaxed B3LYP)");

  for (++line; L.has(line); ++line)
    if (!is_blank(L[line])) throw L.fail(line, "unexpected text after the InChI line");
}

Parsed parse_qm9(const std::string& path) {
  const Lines L(path);
  if (L.size() == 0) throw L.fail(1, "empty file, expected the atom count");
  const int64_t n = L.count(1);
  Parsed p;
  p.name = fs::path(path).stem().string();
  parse_qm9_properties(L, p);
  parse_qm9_atoms(L, n, p);
  const size_t frequencies = 3 + static_cast<size_t>(n);
  check_qm9_frequencies(L, frequencies, n);
  parse_qm9_identifiers(L, frequencies + 1, p);
  return p;
}

// key=value pairs of an XYZ comment line, values optionally in double quotes; anything else is
// free text and skipped.
std::vector<std::pair<std::string, std::string>> comment_pairs(const std::string& s) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  auto key_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const size_t k = i;
    while (i < s.size() && key_char(s[i])) ++i;
    if (i > k && i < s.size() && s[i] == '=') {
      std::string key = s.substr(k, i - k), value;
      ++i;
      if (i < s.size() && s[i] == '"') {
        const size_t close = s.find('"', i + 1);
        const size_t end = close == std::string::npos ? s.size() : close;
        value = s.substr(i + 1, end - i - 1);
        i = close == std::string::npos ? s.size() : close + 1;
      } else {
        const size_t v = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        value = s.substr(v, i - v);
      }
      out.emplace_back(std::move(key), std::move(value));
    } else {
      while (i < s.size() && !is_space(s[i])) ++i;
    }
  }
  return out;
}

// A comment value as comment_pairs reads it back.
std::string quoted(const std::string& value, size_t molecule) {
  ESVGD_CHECK(value.find('"') == std::string::npos && value.find('\n') == std::string::npos &&
                  value.find('\r') == std::string::npos,
              "molecule ", molecule, ": label '", value, "' holds a quote or a line break and cannot be written");
  return std::any_of(value.begin(), value.end(), [](char c) { return is_space(c); }) || value.empty()
             ? "\"" + value + "\""
             : value;
}

}  // namespace

Molecule read_qm9_file(const std::string& path) { return to_molecule(parse_qm9(path)); }

std::vector<Molecule> read_xyz_frames(const std::string& path) {
  const Lines L(path);
  std::vector<Molecule> out;
  size_t line = 1;
  while (true) {
    while (L.has(line) && is_blank(L[line])) ++line;
    if (!L.has(line)) break;
    const int64_t n = L.count(line);
    const size_t frame = out.size() + 1;
    if (!L.has(line + 1)) throw L.fail(line + 1, "file ends before the comment line of frame " + std::to_string(frame));
    Parsed p;
    for (const auto& [key, value] : comment_pairs(L[line + 1])) {
      if (key == "name") p.name = value;
      else if (key == "smiles") p.smiles = value;
      else if (key == "egnn_split") p.split = value;
      else if (key == "gdb_id") p.gdb_id = L.integer(line + 1, value, "gdb_id");
    }
    p.z.reserve(static_cast<size_t>(std::min<int64_t>(n, 1024)));
    for (int64_t a = 0; a < n; ++a) {
      const size_t at = line + 2 + static_cast<size_t>(a);
      if (!L.has(at))
        throw L.fail(at, "file ends after " + std::to_string(a) + " of " + std::to_string(n) + " atom lines of frame " +
                             std::to_string(frame));
      const auto f = split_fields(L[at]);
      if (f.size() < 4)
        throw L.fail(at, "expected an atom line 'symbol x y z', got " + std::to_string(f.size()) +
                             " fields (does the atom count on line " + std::to_string(line) + " match?)");
      L.atom(at, f, p);
    }
    out.push_back(to_molecule(std::move(p)));
    line += 2 + static_cast<size_t>(n);
  }
  if (out.empty()) throw L.fail(1, "holds no frame (expected an atom count)");
  return out;
}

void write_xyz_frames(const std::string& path, const std::vector<Molecule>& molecules,
                      const std::vector<std::string>& comments) {
  ESVGD_CHECK(comments.empty() || comments.size() == molecules.size(), "write_xyz_frames: ", comments.size(),
              " comments for ", molecules.size(), " molecules");
  // Check and format everything first: a bad molecule must leave no file behind.
  std::string text;
  char buf[128];
  for (size_t i = 0; i < molecules.size(); ++i) {
    const auto& m = molecules[i];
    const auto n = static_cast<int64_t>(m.atomic_numbers.size());
    ESVGD_CHECK(n >= 1, "molecule ", i, " has no atoms");
    ESVGD_CHECK(m.positions.defined() && m.positions.dim() == 2 && m.positions.size(0) == n && m.positions.size(1) == 3,
                "molecule ", i, ": positions must be [", n, ", 3], got ",
                m.positions.defined() ? c10::str(m.positions.sizes()) : std::string("none"));
    const auto x = m.positions.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    ESVGD_CHECK(torch::isfinite(x).all().item<bool>(), "molecule ", i, " has a non-finite coordinate");
    std::string comment;
    if (!comments.empty()) {
      comment = comments[i];
      ESVGD_CHECK(comment.find('\n') == std::string::npos && comment.find('\r') == std::string::npos, "comment ", i,
                  " holds a line break");
    } else {
      std::vector<std::string> kv;
      if (m.gdb_id > 0) kv.push_back("gdb_id=" + std::to_string(m.gdb_id));
      if (!m.name.empty()) kv.push_back("name=" + quoted(m.name, i));
      if (!m.smiles.empty()) kv.push_back("smiles=" + quoted(m.smiles, i));
      if (!m.split.empty()) kv.push_back("egnn_split=" + quoted(m.split, i));
      for (size_t k = 0; k < kv.size(); ++k) comment += (k ? " " : "") + kv[k];
    }
    text += std::to_string(n) + "\n" + comment + "\n";
    const double* p = x.data_ptr<double>();
    for (int64_t a = 0; a < n; ++a) {
      std::string sym;
      try {
        sym = element_symbol(m.atomic_numbers[static_cast<size_t>(a)]);
      } catch (const Error& e) {
        throw Error(ErrorKind::kInvalidArgument, "", "molecule " + std::to_string(i) + ", atom " + std::to_string(a) +
                                                         ": " + e.what());
      }
      std::snprintf(buf, sizeof buf, "%-2s %15.10f %15.10f %15.10f\n", sym.c_str(), p[3 * a], p[3 * a + 1],
                    p[3 * a + 2]);
      text += buf;
    }
  }
  core::write_text_atomic(path, text);
}

std::vector<Molecule> read_qm9_directory(const std::string& dir, const std::string& formula_text) {
  const std::string want = normalize_formula(formula_text);
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw Error(ErrorKind::kIo, dir, "no such directory");
  if (!fs::is_directory(dir, ec)) throw Error(ErrorKind::kIo, dir, "not a directory");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".xyz" && e.is_regular_file()) files.push_back(e.path());
  if (ec) throw Error(ErrorKind::kIo, dir, "cannot list: " + ec.message());
  if (files.empty()) throw Error(ErrorKind::kIo, dir, "holds no .xyz file (looking for formula " + want + ")");
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  std::vector<Molecule> out;
  for (const auto& f : files) {
    Parsed p = parse_qm9(f.string());
    if (formula(p.z) == want) out.push_back(to_molecule(std::move(p)));
  }
  if (out.empty())
    throw Error(ErrorKind::kInvalidArgument, dir,
                "no molecule with formula " + want + " among its " + std::to_string(files.size()) + " .xyz files");
  return out;
}

std::vector<Molecule> load_shipped_qm9() { return read_xyz_frames(shipped_data_path("qm9/qm9_C5H8O1.xyz")); }

}  // namespace esvgd::data
