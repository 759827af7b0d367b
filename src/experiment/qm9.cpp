// qm9 (Section 5, Appendix E.2, Figure 13): an E(3)-invariant EGNN energy of the C5H8O isomers of
// QM9 trained by contrastive divergence with SVGD / E-SVGD on the 14 × 3 coordinates (the atom
// types are fixed by the formula). Sampled molecules get bonds from the paper's three-step
// estimate, are built and sanitised in RDKit, and are judged by validity, uniqueness, novelty and
// the QM9 isomers they hit.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <torch/types.h>

#include "esvgd/chem/bond_estimation.h"
#include "esvgd/chem/bond_lengths.h"
#include "esvgd/chem/distance_histogram.h"
#include "esvgd/chem/generation_metrics.h"
#include "esvgd/chem/molecule_check.h"
#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "esvgd/data/qm9_xyz.h"
#include "experiment/cd_experiment.h"
#include "experiment/figure_data.h"
#include "experiment/registry_entries.h"
#include "experiment/toy.h"
#include "esvgd/group/molecule_group.h"
#include "esvgd/group/particle_invariant.h"
#include "esvgd/model/egnn_energy.h"

namespace esvgd::experiment {

namespace {


/// Molecules of one formula with their atoms in one order (heavy atoms by Z, then hydrogens, each
/// element in file order), so that row n of X is molecule n's coordinates [P·3] in that order.
struct AlignedSet {
  std::vector<int64_t> atomic_numbers;
  std::vector<data::Molecule> molecules;
  torch::Tensor X;  ///< [N, 3P] float64
};

AlignedSet align_atoms(std::vector<data::Molecule> molecules, const std::string& source) {
  if (molecules.empty()) throw Error(ErrorKind::kFormat, source, "holds no molecule");
  auto rank = [](int64_t z) { return z == 1 ? 1000 : z; };
  AlignedSet set;
  std::vector<torch::Tensor> rows;
  for (auto& m : molecules) {
    std::vector<int64_t> order(m.atomic_numbers.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return rank(m.atomic_numbers[a]) < rank(m.atomic_numbers[b]); });
    std::vector<int64_t> z;
    for (auto i : order) z.push_back(m.atomic_numbers[static_cast<size_t>(i)]);
    if (set.atomic_numbers.empty()) set.atomic_numbers = z;
    if (z != set.atomic_numbers)
      throw Error(ErrorKind::kFormat, source,
                  "molecule '" + m.name + "' has formula " + data::formula(z) + ", the first one " +
                      data::formula(set.atomic_numbers) + ": one run models one formula");
    m.atomic_numbers = z;
    m.positions = m.positions.index_select(0, torch::tensor(order, torch::kLong)).to(torch::kFloat64);
    rows.push_back(m.positions.reshape({-1}));
  }
  set.molecules = std::move(molecules);
  set.X = torch::stack(rows);
  return set;
}

std::vector<data::Molecule> load_molecules(const core::Config& c) {
  const auto dir = c.get_string("data.qm9_dir"), file = c.get_string("data.file");
  if (!dir.empty() && !file.empty())
    throw Error(ErrorKind::kConfig, "config keys 'data.qm9_dir' and 'data.file'", "set at most one of them");
  if (!dir.empty()) return data::read_qm9_directory(dir, c.get_string("data.formula"));
  if (!file.empty()) return data::read_xyz_frames(file);
  return data::load_shipped_qm9();
}

/// Bonds, SMILES and bond-length plausibility of every row of X [N, 3P].
struct Judged {
  std::vector<chem::BondGraph> graphs;
  std::vector<chem::SmilesResult> smiles;
  std::vector<bool> plausible;  ///< every estimated bond kShortestBond-kLongestBond long

  double plausible_fraction() const {
    return plausible.empty() ? 0.0
                             : static_cast<double>(std::count(plausible.begin(), plausible.end(), true)) /
                                   static_cast<double>(plausible.size());
  }
  /// The SMILES of the samples that are valid *and* have plausible bonds; the others as invalid.
  std::vector<chem::SmilesResult> plausible_smiles() const {
    auto s = smiles;
    for (size_t n = 0; n < s.size(); ++n) s[n].valid = s[n].valid && plausible[n];
    return s;
  }
};

Judged judge(const std::vector<int64_t>& z, const torch::Tensor& X) {
  Judged j;
  const auto P = static_cast<int64_t>(z.size());
  for (int64_t n = 0; n < X.size(0); ++n) {
    const auto positions = X[n].view({P, 3});
    j.graphs.push_back(chem::estimate_bonds(z, positions));
    j.smiles.push_back(chem::to_smiles(j.graphs.back()));
    j.plausible.push_back(chem::plausible_bond_lengths(j.graphs.back(), positions));
  }
  return j;
}

/// The reference SMILES of the data (canonical), the training rows and isomers of a split, and
/// how often the bond estimate on the true geometries gives the reference back.
struct ReferenceSets {
  std::set<std::string> reference, training;
  std::vector<int64_t> train_rows;
  int64_t reproduced = 0, with_reference = 0;
  nlohmann::json baseline = nlohmann::json::array();  ///< per molecule: reference vs estimated SMILES
};

ReferenceSets reference_sets(const AlignedSet& all, const Judged& truth, const std::string& split) {
  ReferenceSets r;
  for (size_t n = 0; n < all.molecules.size(); ++n) {
    const auto& m = all.molecules[n];
    const auto ref = m.smiles.empty() ? std::string() : chem::canonical_smiles(m.smiles);
    if (!ref.empty()) {
      r.reference.insert(ref);
      ++r.with_reference;
      r.reproduced += truth.smiles[n].valid && truth.smiles[n].smiles == ref;
    }
    if (split == "all" || m.split == split) {
      r.train_rows.push_back(static_cast<int64_t>(n));
      if (!ref.empty()) r.training.insert(ref);
    }
    r.baseline.push_back({{"name", m.name}, {"reference", ref}, {"estimated", truth.smiles[n].smiles},
                          {"valid", truth.smiles[n].valid}, {"error", truth.smiles[n].error}});
  }
  if (r.train_rows.empty())
    throw Error(ErrorKind::kConfig, "config key 'data.split'", "no molecule of split '" + split + "' in the data");
  return r;
}

/// The rows of 0..n−1 that are not training rows (sorted input).
std::vector<int64_t> held_out_rows(size_t n, const std::vector<int64_t>& train_rows) {
  std::vector<int64_t> rest;
  for (int64_t i = 0; i < static_cast<int64_t>(n); ++i)
    if (!std::binary_search(train_rows.begin(), train_rows.end(), i)) rest.push_back(i);
  return rest;
}

data::Molecule as_molecule(const std::vector<int64_t>& z, const torch::Tensor& row, const chem::SmilesResult& r,
                           const std::string& name) {
  data::Molecule m;
  m.atomic_numbers = z;
  m.positions = row.view({-1, 3}).to(torch::kFloat64);
  m.name = name;
  m.smiles = r.valid ? r.smiles : "";
  return m;
}

/// The column keys of one sample count, in the order of the summary's table.
const std::vector<std::string> kSampleColumns{"validity", "uniqueness", "novelty", "isomers_found", "training_fraction",
                                              "plausible_bonds", "valid_plausible", "isomers_plausible", "distance_tv"};

/// What the judged samples X [N, 3P] score: the generation metrics of the bond estimate, the
/// bond-length check, both together, and the element-pair distance TV to the data's histograms.
nlohmann::json sample_metrics(const Judged& j, const torch::Tensor& X, const std::vector<int64_t>& z,
                              const chem::DistanceHistograms& data, const std::set<std::string>& training,
                              const std::set<std::string>& reference) {
  const auto g = chem::generation_metrics(j.smiles, training, reference);
  const auto strict = chem::generation_metrics(j.plausible_smiles(), training, reference);
  const auto tv = chem::distance_tv(chem::distance_histograms(z, X), data);
  nlohmann::json per_pair;
  for (size_t k = 0; k < data.pairs.size(); ++k) per_pair[data.pairs[k]] = tv.per_pair[k];
  return {{"samples", g.samples},         {"valid", g.valid},
          {"unique", g.unique},           {"novel", g.novel},
          {"isomers_found", g.isomers_found}, {"reference_isomers", g.reference_isomers},
          {"training_hits", g.training_hits}, {"validity", g.validity},
          {"uniqueness", g.uniqueness},   {"novelty", g.novelty},
          {"training_fraction", g.training_fraction}, {"plausible_bonds", j.plausible_fraction()},
          {"valid_plausible", strict.validity}, {"isomers_plausible", strict.isomers_found},
          {"distance_tv", tv.weighted},  {"distance_tv_per_pair", per_pair}};
}

/// All pair distances of the rows of X [N, 3P], flattened (the histogram ignores their order).
std::vector<double> pair_distances(const torch::Tensor& X) {
  const group::ParticleInvariant distances(group::ParticleInvariant::Kind::kPairDistances, X.size(1) / 3, 3);
  return to_vector(distances.features(X).reshape({-1}));
}

/// The sampler's uniform starts U[−box, box)^D judged as they are, one draw per sample count: the
/// bond estimate makes many random clouds "valid", so only what a model adds over this is learned.
struct UniformControl {
  nlohmann::json metrics;    ///< "n<count>": sample_metrics of that many clouds
  std::string markdown;      ///< the summary's table
  std::vector<double> distances;  ///< pair distances of the first draw
};

UniformControl uniform_control(const std::vector<int64_t>& z, const std::vector<int64_t>& counts, double box,
                               const chem::DistanceHistograms& data, const std::set<std::string>& training,
                               const std::set<std::string>& reference, at::Generator& gen) {
  const int64_t D = 3 * static_cast<int64_t>(z.size());
  UniformControl u;
  nlohmann::json rows = nlohmann::json::array();
  for (auto n : counts) {
    auto U = -box + 2 * box * torch::rand({n, D}, gen, torch::kFloat64);
    auto row = sample_metrics(judge(z, U), U, z, data, training, reference);
    if (u.distances.empty()) u.distances = pair_distances(U);
    rows.push_back(row);
    u.metrics["n" + std::to_string(n)] = std::move(row);
  }
  std::vector<std::string> columns{"samples"};
  columns.insert(columns.end(), kSampleColumns.begin(), kSampleColumns.end());
  u.markdown = "## Control: uniform starts U[-" + c10::str(box) + ", " + c10::str(box) + ")^" + std::to_string(D) +
               " judged without any model\n\n" + metrics_table(rows, columns);
  return u;
}

/// Pair distances of a set of molecules with the name it is shown under.
using NamedDistances = std::vector<std::pair<std::string, std::vector<double>>>;

/// The distances figure's data (figures/distances.json; python/esvgd/plot/qm9.py): the pair distances
/// of the training molecules and of each set of samples, drawn as histograms over [0, 8] Å.
void distances_figure(const std::string& out_dir, const std::vector<double>& data, const NamedDistances& samples) {
  FigureData fig("distances");
  fig.set("title", "qm9: interatomic distances of the sampled molecules against the training data")
      .set("range", {0.0, 8.0}).array("data", torch::tensor(data, torch::kFloat64));
  for (size_t k = 0; k < samples.size(); ++k)
    fig.set("panels/" + std::to_string(k) + "/title", samples[k].first)
        .array("panels/" + std::to_string(k) + "/distances", torch::tensor(samples[k].second, torch::kFloat64));
  fig.write(out_dir);
}

/// The molecules of the run with what the samples are judged against.
struct Qm9Data {
  std::string source;           ///< data.qm9_dir or data.file (empty: the shipped isomers)
  std::string split;            ///< data.split
  AlignedSet all;               ///< every molecule read
  std::string formula;
  Judged truth;                 ///< the bond estimate on the true geometries
  ReferenceSets ref;
  chem::DistanceHistograms distances;  ///< of every molecule
  double tv_floor = 0;          ///< distance_tv of the training molecules against the others
  data::TrainingData train_set;      ///< the coordinates of the training rows [N, 3P]
};

/// The floor of distance_tv: the training molecules against the others (0 when a split leaves none).
double distance_tv_floor(const AlignedSet& all, const std::vector<int64_t>& train_rows) {
  const auto held_out = held_out_rows(all.molecules.size(), train_rows);
  auto histograms_of = [&](const std::vector<int64_t>& rows) {
    return chem::distance_histograms(all.atomic_numbers, all.X.index_select(0, torch::tensor(rows, torch::kLong)));
  };
  return held_out.empty() ? 0.0 : chem::distance_tv(histograms_of(train_rows), histograms_of(held_out)).weighted;
}

/// Reads the molecules (data.*), judges their true geometries, draws them (data_molecules.png),
/// and writes the training rows.
Qm9Data load_data(const core::Config& c, const RunContext& ctx) {
  Qm9Data d;
  d.source = c.get_string("data.qm9_dir").empty() ? c.get_string("data.file") : c.get_string("data.qm9_dir");
  d.all = align_atoms(load_molecules(c), d.source.empty() ? "data/qm9/qm9_C5H8O1.xyz" : d.source);
  const auto& Z = d.all.atomic_numbers;
  d.formula = data::formula(Z);
  d.split = c.get_string("data.split");
  if (d.split != "train" && d.split != "valid" && d.split != "test" && d.split != "all")
    throw Error(ErrorKind::kConfig, "config key 'data.split'", "must be train, valid, test or all, got '" + d.split + "'");
  d.truth = judge(Z, d.all.X);
  d.ref = reference_sets(d.all, d.truth, d.split);
  d.distances = chem::distance_histograms(Z, d.all.X);
  d.tv_floor = distance_tv_floor(d.all, d.ref.train_rows);
  chem::draw_molecule_grid(ctx.out_dir + "/data_molecules.png", d.truth.graphs, d.truth.smiles, 8);
  if (ctx.log)
    *ctx.log << "[qm9] " << d.all.molecules.size() << " molecules of " << d.formula << " (" << d.ref.train_rows.size()
             << " for training); bond estimate reproduces " << d.ref.reproduced << "/" << d.ref.with_reference
             << " reference SMILES\n";
  const auto X = d.all.X.index_select(0, torch::tensor(d.ref.train_rows, torch::kLong));
  d.train_set = {X, {}, {}};
  data::check_training_data(d.train_set, 3 * static_cast<int64_t>(Z.size()), 1, d.source.empty() ? "qm9" : d.source);
  core::write_npy(ctx.out_dir + "/train_x.npy", X);
  return d;
}

/// The EGNN energy (model.*) of the atoms Z; every combination must be a plain e-ebm.
ModelFactory egnn_factory(const core::Config& c, const std::vector<int64_t>& Z) {
  return [&c, Z](const Combination& combo) -> std::shared_ptr<model::EnergyNetwork> {
    if (!combo.equivariant_model || !combo.symmetry.empty())
      throw Error(ErrorKind::kConfig, "config key 'combinations'",
                  "'" + combo.name + "': qm9 trains the EGNN energy, which is E(3)-invariant: use e-ebm without @symmetry");
    auto o = model::EgnnOptions()
                 .atomic_numbers(Z)
                 .hidden(c.get_int("model.hidden"))
                 .layers(c.get_int("model.layers"))
                 .attention(c.get_bool("model.attention"))
                 .charge_power(c.get_int("model.charge_power"))
                 .distance_features(c.get_int("model.distance_features"))
                 .core_radius(c.get_double("model.core_radius"))
                 .noise_conditional(denoising(c))
                 .noise_floor(c.get_double("loss.noise_min"));
    try {
      o.head(model::parse_head(c.get_string("model.head")));
      return std::make_shared<model::EgnnEnergyImpl>(o);
    } catch (const Error& e) {
      throw Error(ErrorKind::kConfig, "config key 'model.*'", e.what());
    }
  };
}

/// The sample counts: the grid sampling (sample.particles, the seed's 64) and, when
/// sample.large_particles > 0, the larger one for the metrics.
std::vector<int64_t> sample_counts(const core::Config& c) {
  std::vector<int64_t> counts{c.get_int("sample.particles")};
  if (counts[0] < 1) throw Error(ErrorKind::kConfig, "config key 'sample.particles'", "must be >= 1");
  const int64_t large = c.get_int("sample.large_particles");
  if (large < 0) throw Error(ErrorKind::kConfig, "config key 'sample.large_particles'", "must be >= 0 (0 = none)");
  if (large > 0) counts.push_back(large);
  return counts;
}

/// Draws `count` molecules from a trained model, judges them into row["n<count>"] and the
/// "<column>@<count>" columns, and writes them (.xyz, .npy); the first sampling (`first`) is also
/// drawn as a grid, listed by SMILES, and its pair distances go to `distances`.
void sample_and_judge(const core::Config& c, const RunContext& ctx, TrainedModel& t, int64_t count, bool first,
                      const Qm9Data& d, nlohmann::json& row, NamedDistances& distances, at::Generator& gen) {
  const auto& Z = d.all.atomic_numbers;
  const auto& name = t.combo.name;
  auto samples = sample_model(c, ctx, t, -1, gen, 0, count);
  auto judged = judge(Z, samples);
  const auto tag = std::to_string(count);
  row["n" + tag] = sample_metrics(judged, samples, Z, d.distances, d.ref.training, d.ref.reference);
  for (const auto& key : kSampleColumns) row[key + "@" + tag] = row["n" + tag][key];
  std::vector<data::Molecule> out;
  for (int64_t n = 0; n < samples.size(0); ++n)
    out.push_back(as_molecule(Z, samples[n], judged.smiles[static_cast<size_t>(n)], name + "_" + std::to_string(n)));
  data::write_xyz_frames(ctx.out_dir + "/samples_" + name + "_n" + tag + ".xyz", out);
  core::write_npy(ctx.out_dir + "/samples_" + name + "_n" + tag + ".npy", samples);
  if (!first) return;
  chem::draw_molecule_grid(ctx.out_dir + "/molecules_" + name + ".png", judged.graphs, judged.smiles, 8);
  distances.emplace_back(name, pair_distances(samples));
  row["smiles@" + tag] = nlohmann::json::array();
  for (const auto& s : judged.smiles) row["smiles@" + tag].push_back(s.valid ? s.smiles : "invalid: " + s.error);
}

/// The row of a trained combination: one judged sampling per count.
nlohmann::json evaluate(const core::Config& c, const RunContext& ctx, TrainedModel& t, const std::vector<int64_t>& counts,
                        const Qm9Data& d, NamedDistances& distances, at::Generator& gen) {
  auto row = common_metrics(t, ctx);
  for (size_t k = 0; k < counts.size(); ++k) sample_and_judge(c, ctx, t, counts[k], k == 0, d, row, distances, gen);
  if (!t.combo.langevin)  // the coupling of the last (largest) sampling
    row.update({{"interacting_sample", t.sample_interacting}, {"bandwidth_sample", t.sample_bandwidth}});
  return row;
}

/// The summary's columns: every sample column for every count, then the training diagnostics.
std::vector<std::string> summary_columns(const std::vector<int64_t>& counts) {
  std::vector<std::string> columns{"combination"};
  for (auto n : counts)
    for (const auto& key : kSampleColumns) columns.push_back(key + "@" + std::to_string(n));
  columns.insert(columns.end(), {"svgd_steps_per_batch", "interacting_train", "interacting_sample", "train_seconds"});
  return columns;
}

/// How the models were trained, when not by contrastive divergence (the summary's title says CD).
std::string training_note(const core::Config& c) {
  if (!denoising(c)) return "";
  const auto ladder = noise_ladder(c);
  return " Training: denoising score matching of a noise-conditional EGNN, one model shared by every row; each "
         "row samples it with its sampler annealed over " + std::to_string(ladder.levels()) + " noise levels from " +
         c10::str(ladder.max()) + " to " + c10::str(ladder.min()) + " Å (docs/method.md).";
}

/// summary.md's text above the table: the data, the bond estimate's baseline, and what each metric means.
std::string preamble(const Qm9Data& d, const std::vector<int64_t>& counts, const core::Config& c) {
  return std::to_string(d.all.molecules.size()) + " molecules of " + d.formula + ", " +
         std::to_string(d.ref.train_rows.size()) + " for training (split " + d.split + ", " +
         std::to_string(d.ref.training.size()) +
         " isomers). Bond estimation baseline: on the true geometries it reproduces " +
         std::to_string(d.ref.reproduced) + " of " + std::to_string(d.ref.with_reference) +
         " reference SMILES. Samples per model: " + c10::Join(", ", counts) +
         "; validity = RDKit sanitisation succeeds, one fragment, every valence spent; uniqueness = distinct "
         "valid SMILES / valid; novelty = unique SMILES not among the training isomers / unique; isomers_found "
         "= distinct SMILES among the " + std::to_string(d.ref.reference.size()) +
         " reference isomers; training_fraction = samples that are a training isomer / samples; plausible_bonds "
         "(an extension) = samples whose estimated bonds are all " + c10::str(chem::kShortestBond) + "-" +
         c10::str(chem::kLongestBond) + " Å long (the true geometries: " + c10::str(d.truth.plausible_fraction()) +
         "); valid_plausible = samples both valid and plausible; isomers_plausible = reference isomers among them; "
         "distance_tv = total variation between the samples' and the data's histograms of interatomic distances "
         "(0.2 Å bins up to 8 Å), per element pair, averaged with weights = atom pairs per molecule (training "
         "against held-out molecules: " + c10::str(d.tv_floor) + ")." + training_note(c) + "\n\n";
}

/// What metrics.json reports about the data and the uniform control.
nlohmann::json data_json(const Qm9Data& d, const UniformControl& control) {
  return {{"formula", d.formula},
          {"molecules", d.all.molecules.size()},
          {"training_molecules", d.ref.train_rows.size()},
          {"training_isomers", d.ref.training.size()},
          {"reference_isomers", d.ref.reference.size()},
          {"bond_estimation_reproduced", d.ref.reproduced},
          {"bond_estimation_with_reference", d.ref.with_reference},
          {"bond_estimation", d.ref.baseline},
          {"true_plausible_bonds", d.truth.plausible_fraction()},
          {"distance_tv_training_vs_held_out", d.tv_floor},
          {"uniform_control", control.metrics}};
}

class Qm9 : public Experiment {
 public:
  Parallelism parallelism() const override { return Parallelism::kData; }
  std::string name() const override { return "qm9"; }
  std::string summary() const override {
    return "QM9 C5H8O isomers: EGNN energy with SVGD/E-SVGD, bonds estimated, RDKit validity/uniqueness/novelty (App. E.2)";
  }
  void declare(core::Config& c) const override {
    c.declare("data.file", "", "multi-frame XYZ of one formula to train on (empty: the shipped QM9 C5H8O isomers)");
    c.declare("data.qm9_dir", "", "a folder of QM9 archive files (dsgdb9nsd_*.xyz): train on those of data.formula");
    c.declare("data.formula", "C5H8O", "formula selected from data.qm9_dir");
    c.declare("data.split", "train", "train on the molecules of this split (train, valid, test) or all");
    c.declare("model.hidden", int64_t{64}, "hidden units of the EGNN");
    c.declare("model.layers", int64_t{4}, "graph convolution layers of the EGNN");
    c.declare("model.attention", true, "attention on the EGNN's edge messages");
    c.declare("model.charge_power", int64_t{2}, "node features one-hot(element) x (Z/9)^0..c");
    c.declare("model.distance_features", int64_t{0},
              "Gaussian radial basis functions of each distance in every edge message, centres over 0-6 Å (0 = d² only, the paper)");
    c.declare("model.core_radius", 0.0,
              "Å: a fixed hard-core repulsion 100 sum max(0, r - d)^2 added to the energy (0 = none, the paper; linear head)");
    c.declare("model.head", "log1p-square", "energy head: log1p-square (E = log(1+o²)) or linear (E = o)",
              {"EnergyModelOptions::head"});
    EbmDefaults d;
    d.mlp_model = false;
    d.epochs = 2500;
    d.batch_size = 16;
    d.checkpoint_every = 50;
    d.learning_rate = 0.01;
    d.lr_milestones = {250, 1000};
    d.lr_after = {0.005, 0.001};
    d.svgd_steps = 2500;
    d.svgd_step_size = 0.5;
    d.bandwidth = 1.0;
    d.epsilon = 1e-3;
    d.reset_probability = 0.2;
    d.chain_init = "uniform";
    d.sample_particles = 64;
    d.sample_steps = 25;
    d.sample_box = 2;
    d.sample_epsilon = 1e-6;
    declare_ebm_keys(c, d);
    c.set("combinations", std::vector<std::string>{"e-ebm+e-svgd", "e-ebm+e-svgd@pair-distances-paper", "e-ebm+svgd"},
          "default");
    c.set("chains.low", 0.0, "default");
    c.set("chains.high", 4.0, "default");
    c.set("sample.step_size", 0.9, "default");
    c.declare("sample.large_particles", int64_t{1000},
              "a second, separate sampling of this many molecules per model for the metrics (0 = none)");
    c.declare("loss.kind", "cd",
              "cd (contrastive divergence with the combination's sampler) or denoising (denoising score matching of "
              "a noise-conditional EGNN; sampling anneals over loss.noise_*)", {"CdOptions::denoising"});
    c.declare("loss.noise_max", 2.0, "Å: the largest noise level of loss.kind = denoising", {"NoiseLadder::max"});
    c.declare("loss.noise_min", 0.02, "Å: the smallest noise level of loss.kind = denoising", {"NoiseLadder::min"});
    c.declare("loss.noise_levels", int64_t{20}, "geometric noise levels of loss.kind = denoising",
              {"NoiseLadder::levels"});
  }
  nlohmann::json quick_preset() const override {
    return {{"train.epochs", 30}, {"svgd.steps", 100}, {"train.checkpoint_every", 10},
            {"train.lr_milestones", {10, 20}}, {"sample.large_particles", 256}};
  }
  /// `tuned-cd`: the best that contrastive divergence reached (docs/method.md, "QM9: what contrastive
  /// divergence reached"; samples with the data's local geometry, few molecules): short-run CD, every
  /// chain fresh from the box each batch and sampled for the same 30 steps afterwards, Langevin (ε 0.1,
  /// σ 0.05, drift clipped) or noisy SVGD with the same drift, clip and noise on coupling bandwidths,
  /// a linear head held near 0 by the energy regulariser, and the EGNN's fixed hard core at 0.9 Å.
  ///
  /// `tuned` (docs/method.md, "QM9: a noise-conditional energy"): the EGNN energy E(x, σ) trained by
  /// denoising score matching over 20 noise levels from 2 Å to 0.02 Å (no sampler in the loop, so every
  /// combination trains the same model), then sampled from the box by each combination's sampler
  /// annealed over the same levels, 30 steps per level: Langevin, or noisy SVGD whose kernel (median
  /// bandwidth, kernel-mass normalisation) couples the chains.
  std::map<std::string, nlohmann::json> extra_presets() const override {
    return {{"tuned",
             {{"combinations", {"e-ebm+e-svgd", "e-ebm+e-svgd@pair-distances", "e-ebm+svgd", "e-ebm+langevin"}},
              {"loss.kind", "denoising"},          {"loss.noise_max", 2.0},
              {"loss.noise_min", 0.02},            {"loss.noise_levels", 20},
              {"model.head", "linear"},            {"model.core_radius", 0.0},
              {"svgd.regular_sampler", "rbf"},     {"svgd.equivariant_sampler", "orbit-scalar"},
              {"svgd.median", true},               {"svgd.median_interval", 10},
              {"svgd.normalize", "kernel-mass"},   {"svgd.langevin", true},
              {"svgd.clip", 0.0},                  {"svgd.epsilon", 0.0},
              {"langevin.clip", 0.0},
              {"train.batch_size", 32},            {"train.learning_rate", 1e-3},
              {"train.lr_milestones", nlohmann::json::array()}, {"train.lr_after", nlohmann::json::array()},
              {"train.epochs", 6000},              {"train.checkpoint_every", 500},
              {"sample.steps", 30},                {"sample.step_size", 2e-5},
              {"sample.noise", -1.0},              {"sample.epsilon", 0.0}}},
            {"tuned-cd",
             {{"combinations", {"e-ebm+e-svgd", "e-ebm+e-svgd@pair-distances", "e-ebm+svgd", "e-ebm+langevin"}},
              {"model.head", "linear"},            {"loss.energy_l2", 0.1},
              {"model.core_radius", 0.9},
              {"svgd.regular_sampler", "rbf"},     {"svgd.equivariant_sampler", "orbit-scalar"},
              {"svgd.median", true},               {"svgd.median_interval", 10},
              {"svgd.normalize", "kernel-mass"},   {"svgd.langevin", true},
              {"svgd.langevin_noise", 0.05},       {"svgd.step_size", 0.05},
              {"svgd.steps", 30},                  {"svgd.epsilon", 0.0},
              {"svgd.clip", 0.5},
              {"langevin.steps", 30},              {"langevin.step_size", 0.1},
              {"langevin.noise", 0.05},            {"langevin.clip", 0.5},
              {"chains.init", "uniform"},          {"chains.low", -2.0},
              {"chains.high", 2.0},                {"chains.anchors", false},
              {"chains.replay_size", 0},           {"chains.reset_probability", 1.0},
              {"train.learning_rate", 1e-3},       {"train.lr_milestones", nlohmann::json::array()},
              {"train.lr_after", nlohmann::json::array()}, {"train.epochs", 200},
              {"train.checkpoint_every", 50},      {"sample.steps", 30},
              {"sample.step_size", 0.0},           {"sample.noise", -1.0},
              {"sample.epsilon", 0.0}}}};
  }

  nlohmann::json run(const core::Config& c, const RunContext& ctx) const override {
    at::Generator gen = at::detail::createCPUGenerator(ctx.seed);
    const auto data = load_data(c, ctx);
    const auto& Z = data.all.atomic_numbers;
    const int64_t D = 3 * static_cast<int64_t>(Z.size());
    group::MoleculeGroup group(Z);
    const ModelFactory factory = egnn_factory(c, Z);
    const auto counts = sample_counts(c);
    const auto control = uniform_control(Z, counts, c.get_positive("sample.box"), data.distances, data.ref.training,
                                         data.ref.reference, gen);
    NamedDistances distances{{"uniform starts (no model)", control.distances}};
    std::vector<TrainedModel> trained;
    std::vector<nlohmann::json> rows;
    // Denoising score matching runs no sampler, so every combination would train the same model.
    const bool shared = denoising(c);
    for (const auto& combo : checked_combinations(c, group, D, 1, factory)) {
      auto t = shared && !trained.empty() ? with_sampler(c, trained.front(), combo, group, gen)
                                          : train_combination(c, ctx, combo, group, data.train_set, 1, gen, factory);
      rows.push_back(evaluate(c, ctx, t, counts, data, distances, gen));
      trained.push_back(std::move(t));
    }
    distances_figure(ctx.out_dir, pair_distances(data.train_set.x), distances);
    auto result = data_json(data, control);
    result.update(finish_ebm_run(ctx, trained, rows, "qm9", preamble(data, counts, c), summary_columns(counts),
                                 control.markdown));
    return result;
  }
};

}  // namespace

std::shared_ptr<const Experiment> make_qm9() { return std::make_shared<Qm9>(); }

}  // namespace esvgd::experiment
