// fashion-mnist (Section 5, Appendix E.3): joint and class-conditional generation with a
// C4-steerable CNN energy trained as a JEM by contrastive divergence with (E-)SVGD negatives in
// image space; accuracy on upright, C4-rotated and per-rotation test sets; two supervised
// reference rows (the plain CNN and the C4-CNN without the generative term).

#include <cmath>
#include <functional>

#include <torch/types.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "esvgd/core/progress.h"
#include "esvgd/data/fashion_mnist.h"
#include "experiment/cd_experiment.h"
#include "experiment/figure_data.h"
#include "experiment/registry_entries.h"
#include "esvgd/group/image_rotation_group.h"
#include "esvgd/metric/frechet.h"
#include "esvgd/model/image_energy.h"
#include "train/supervised.h"

namespace esvgd::experiment {

namespace {

constexpr int64_t kClasses = 10;
constexpr int64_t kSide = 28, kDim = kSide * kSide;
constexpr int64_t kFrechetImages = 2000;  ///< test images the samples' features are compared with

torch::Device parse_device(const core::Config& c) {
  const auto text = c.get_string("device");
  try {
    torch::Device device(text);
    if (device.is_cuda() && !torch::cuda::is_available())
      throw Error(ErrorKind::kConfig, "config key 'device'",
                  "'" + text + "' asks for CUDA, but this LibTorch build or machine has no CUDA device (use cpu)");
    return device;
  } catch (const c10::Error&) {
    throw Error(ErrorKind::kConfig, "config key 'device'", "'" + text + "' is not a device (expected cpu, cuda or cuda:N)");
  }
}

model::ImageEnergyOptions model_options(const core::Config& c, bool equivariant) {
  return model::ImageEnergyOptions()
      .equivariant(equivariant)
      .fields(c.get_ints("model.fields"))
      .kernel_size(c.get_int("model.kernel_size"))
      .pool_after(c.get_ints("model.pool_after"))
      .head_hidden(c.get_int("model.head_hidden"))
      .classes(kClasses)
      .side(kSide);
}

/// Option errors name their model.* key.
std::shared_ptr<model::EnergyNetwork> make_model(const core::Config& c, bool equivariant, torch::Device device) {
  model::ImageEnergy net(model_options(c, equivariant));
  net->to(device);
  return net.ptr();
}

/// A random subset of `n` rows (all when n = 0), the same for every run with the same seed.
data::ImageSet subset(const data::ImageSet& set, int64_t n, const std::string& key, at::Generator& gen) {
  if (n < 0) throw Error(ErrorKind::kConfig, "config key '" + key + "'", "must be >= 0 (0 = the whole set)");
  if (n == 0 || n >= set.images.size(0)) return set;
  auto idx = torch::randperm(set.images.size(0), gen, torch::kLong).narrow(0, 0, n);
  return {set.images.index_select(0, idx), set.labels.index_select(0, idx)};
}

/// f on the images as rows [n, 784] on `device`, 1000 at a time without autograd; results on the CPU.
torch::Tensor in_chunks(const torch::Tensor& images, torch::Device device,
                        const std::function<torch::Tensor(const torch::Tensor&)>& f) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < images.size(0); i += 1000) {
    const int64_t n = std::min<int64_t>(1000, images.size(0) - i);
    parts.push_back(f(images.narrow(0, i, n).reshape({n, kDim}).to(device)).cpu());
  }
  return torch::cat(parts);
}

double accuracy(model::EnergyNetwork& m, const torch::Tensor& images, const torch::Tensor& labels, torch::Device device) {
  const auto logits = in_chunks(images, device, [&](const torch::Tensor& x) { return m.outputs(x); });
  return static_cast<double>(logits.argmax(1).eq(labels).sum().item<int64_t>()) / static_cast<double>(images.size(0));
}

double mean_energy(model::EnergyNetwork& m, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  return m.energy(images.reshape({images.size(0), kDim}).to(torch::kFloat32)).mean().item<double>();
}

/// The test sets every row is scored on: upright, each image rotated by a seeded random multiple
/// of 90°, and each rotation alone.
struct TestSets {
  torch::Tensor upright, rotated, labels;
};

void add_accuracies(nlohmann::json& row, model::EnergyNetwork& m, const TestSets& t, torch::Device device) {
  row["acc_upright"] = accuracy(m, t.upright, t.labels, device);
  row["acc_rotated"] = accuracy(m, t.rotated, t.labels, device);
  for (int64_t k = 1; k < 4; ++k)
    row["acc_rot" + std::to_string(90 * k)] = accuracy(m, data::rotate_images(t.upright, k), t.labels, device);
}

/// The independent judge of the samples: a supervised network trained in the same run. Its
/// penultimate features give Fréchet distances, its argmax the class a sample looks like.
struct Judge {
  std::string name;
  model::ImageEnergy net{nullptr};
  torch::Tensor test_features;  ///< [T, head_hidden] of the test images
  double fd_noise = 0;          ///< the control: uniform noise (where sampling starts) against the test set
  double fd_train = 0;          ///< the floor: training images against the test set

  torch::Tensor features(const torch::Tensor& images, torch::Device device) {
    return in_chunks(images, device, [&](const torch::Tensor& x) { return net->penultimate(x); });
  }
  double fd(const torch::Tensor& images, torch::Device device) {
    return metric::frechet_distance(features(images, device), test_features);
  }
  /// Share of `images` [N·per_class, ...] (class by class) that the judge assigns to their class.
  double class_match(const torch::Tensor& images, int64_t per_class, torch::Device device) {
    const auto labels = torch::arange(kClasses, torch::kLong).repeat_interleave(per_class);
    return accuracy(*net, images, labels, device);
  }
};

std::vector<std::string> class_labels() {
  auto labels = data::fashion_mnist_classes();
  for (auto& l : labels) l = l.substr(0, 12);
  return labels;
}

/// An image grid's data (figures/<name>.json, kind image_grid; python/esvgd/plot/fashion_mnist.py):
/// images [K, 28, 28] in [0, 1], `columns` per row, a title and optionally one label per row.
void image_grid_figure(const std::string& out_dir, const std::string& name, const torch::Tensor& images,
                       int64_t columns, const std::string& title, const std::vector<std::string>& row_labels = {}) {
  FigureData(name)
      .set("kind", "image_grid").set("title", title).set("columns", columns).set("row_labels", row_labels)
      .array("images", images.reshape({-1, kSide, kSide}).clamp(0, 1))
      .write(out_dir);
}

/// The training set (images and rows), the test sets, and the image side checked.
struct DataSets {
  data::ImageSet train_images, test_images;
  data::TrainingData train;  ///< the training images as rows [n, 784] on the device, with labels
  TestSets tests;
};

/// The first `per_class` images of every class, class by class: [10·per_class, 28, 28].
torch::Tensor first_per_class(const data::ImageSet& set, int64_t per_class) {
  if (per_class < 1) throw Error(ErrorKind::kConfig, "config key 'sample.per_class'", "must be >= 1");
  std::vector<torch::Tensor> rows;
  for (int64_t y = 0; y < kClasses; ++y) {
    auto idx = set.labels.eq(y).nonzero().view({-1});
    auto pick = set.images.index_select(0, idx.narrow(0, 0, std::min<int64_t>(per_class, idx.size(0))));
    if (pick.size(0) < per_class)  // a tiny subset: pad with blank images
      pick = torch::cat({pick, torch::zeros({per_class - pick.size(0), 1, kSide, kSide})});
    rows.push_back(pick.view({per_class, kSide, kSide}));
  }
  return torch::cat(rows);
}

/// Reads data.dir (subsets of data.*_subset images), rotates the test set (its own seeded stream),
/// and draws sample.per_class training images per class (data.png).
DataSets load_data(const core::Config& c, const RunContext& ctx, torch::Device device, at::Generator& gen) {
  const auto dir = c.get_string("data.dir");
  auto train_set = subset(data::load_fashion_mnist(dir, "train"), c.get_int("data.train_subset"), "data.train_subset", gen);
  auto test_set = subset(data::load_fashion_mnist(dir, "test"), c.get_int("data.test_subset"), "data.test_subset", gen);
  for (const auto& [split, images] : {std::pair{"train", train_set.images}, {"test", test_set.images}})
    if (images.size(2) != kSide)
      throw Error(ErrorKind::kFormat, dir, std::string("the ") + split + " images are " + std::to_string(images.size(2)) + "x" +
                  std::to_string(images.size(3)) + "; the networks of this experiment take 28x28 Fashion-MNIST images");
  const int64_t n = train_set.images.size(0);
  data::TrainingData train_data{train_set.images.reshape({n, kDim}).to(device), train_set.labels.to(device), {}};
  data::check_training_data(train_data, kDim, kClasses, dir);
  at::Generator rot_gen = at::detail::createCPUGenerator(ctx.seed + 1);
  TestSets tests{test_set.images, data::random_c4_rotation(test_set.images, rot_gen).first, test_set.labels};
  image_grid_figure(ctx.out_dir, "data", first_per_class(train_set, c.get_int("sample.per_class")),
                    c.get_int("sample.per_class"), "training images", class_labels());
  return {std::move(train_set), std::move(test_set), std::move(train_data), std::move(tests)};
}

/// A supervised reference row (cnn or c4-cnn: the same network without the generative term),
/// trained from the JEM rows' initial weights; returns its row and the network.
std::pair<nlohmann::json, model::ImageEnergy> train_reference(const core::Config& c, const RunContext& ctx,
                                                              const std::string& ref, const data::TrainingData& train_data,
                                                              const TestSets& tests, torch::Device device) {
  const int64_t epochs = c.get_int("reference.epochs") > 0 ? c.get_int("reference.epochs") : c.get_int("train.epochs");
  torch::manual_seed(ctx.seed);  // the same initial weights as the JEM rows
  model::ImageEnergy net(model_options(c, ref == "c4-cnn"));
  net->to(device);
  core::Progress progress("supervised " + ref, epochs, ctx.log, 5.0);
  const auto options = train::SupervisedOptions()
                           .epochs(epochs)
                           .batch_size(c.get_int("train.batch_size"))
                           .learning_rate(c.get_positive("train.learning_rate"));
  const auto history = train::fit_classifier(*net, train_data, options, ctx.seed, &progress);
  progress.finish();
  double seconds = 0;
  for (const auto& h : history) seconds += h.seconds;
  nlohmann::json row{{"combination", "supervised " + ref}, {"train_seconds", seconds},
                     {"train_accuracy", history.empty() ? 0.0 : history.back().accuracy}};
  add_accuracies(row, *net, tests, device);
  return {row, net};
}

/// The supervised rows (reference.rows) with the judge of the samples: the last of them.
struct References {
  std::vector<nlohmann::json> rows;
  Judge judge;  ///< without a network when reference.rows is empty
};

/// Trains every reference row; the judge's Fréchet scale is set by test images, uniform noise (its
/// control) and training images (its floor), as many as sample.particles.
References train_references(const core::Config& c, const RunContext& ctx, const DataSets& data, torch::Device device,
                            at::Generator& gen) {
  for (const auto& ref : c.get_strings("reference.rows"))
    if (ref != "cnn" && ref != "c4-cnn")
      throw Error(ErrorKind::kConfig, "config key 'reference.rows'", "unknown row '" + ref + "' (expected cnn or c4-cnn)");
  References r;
  for (const auto& ref : c.get_strings("reference.rows")) {
    auto [row, net] = train_reference(c, ctx, ref, data.train, data.tests, device);
    r.rows.push_back(std::move(row));
    r.judge.name = "supervised " + ref;
    r.judge.net = net;
  }
  const auto& upright = data.tests.upright;
  const auto test_images = upright.narrow(0, 0, std::min<int64_t>(kFrechetImages, upright.size(0)));
  const int64_t joint_count = c.get_int("sample.particles");
  if (r.judge.net) {
    r.judge.test_features = r.judge.features(test_images, device);
    r.judge.fd_noise = r.judge.fd(torch::rand({joint_count, kDim}, gen, torch::kFloat32), device);
    r.judge.fd_train = r.judge.fd(
        data.train_images.images.narrow(0, 0, std::min<int64_t>(joint_count, data.train_images.images.size(0))), device);
  }
  return r;
}

/// Joint samples (sample.particles) and sample.per_class class-conditional samples per class,
/// as .npy and PNG grids (at most 64 joint and 8 per class drawn); returns both.
std::pair<torch::Tensor, torch::Tensor> write_samples(const core::Config& c, const RunContext& ctx, TrainedModel& t,
                                                      at::Generator& gen) {
  const auto& name = t.combo.name;
  auto joint = sample_model(c, ctx, t, -1, gen);
  core::write_npy(ctx.out_dir + "/samples_" + name + ".npy", joint);
  image_grid_figure(ctx.out_dir, "samples_" + name, joint.narrow(0, 0, std::min<int64_t>(64, joint.size(0))), 8,
                    name + ": joint samples p(x)");
  const int64_t per_class = c.get_int("sample.per_class");
  std::vector<torch::Tensor> conditional;
  for (int64_t y = 0; y < kClasses; ++y) conditional.push_back(sample_model(c, ctx, t, y, gen, 0, per_class));
  auto all = torch::cat(conditional);
  core::write_npy(ctx.out_dir + "/conditional_" + name + ".npy", all);
  const int64_t shown = std::min<int64_t>(8, per_class);
  std::vector<torch::Tensor> firsts;
  for (auto& x : conditional) firsts.push_back(x.narrow(0, 0, shown));
  image_grid_figure(ctx.out_dir, "conditional_" + name, torch::cat(firsts), shown,
                    name + ": class-conditional samples p(x|y)", class_labels());
  return {joint, all};
}

/// The row of a trained combination: accuracies, where its samples lie on its energy scale, and
/// what the judge makes of them; writes its samples and last negatives.
nlohmann::json evaluate(const core::Config& c, const RunContext& ctx, TrainedModel& t, const TestSets& tests,
                        Judge& judge, torch::Device device, at::Generator& gen) {
  auto row = common_metrics(t, ctx);
  add_accuracies(row, *t.model, tests, device);
  const auto [samples, conditional] = write_samples(c, ctx, t, gen);
  // Where the samples ended up on the model's own scale: mean E of test images, of the
  // samples, and of fresh uniform noise (where sampling starts).
  const auto noise = torch::rand({samples.size(0), kDim}, gen, torch::kFloat32);
  row["energy_data"] = mean_energy(*t.model, tests.upright.narrow(0, 0, std::min<int64_t>(1000, tests.upright.size(0))));
  row["energy_samples"] = mean_energy(*t.model, samples);
  row["energy_noise"] = mean_energy(*t.model, noise);
  if (!t.combo.langevin)  // the coupling of the last sampling
    row.update({{"interacting_sample", t.sample_interacting}, {"bandwidth_sample", t.sample_bandwidth}});
  if (judge.net) {
    row["fd_samples"] = judge.fd(samples, device);
    row["fd_ratio"] = row["fd_samples"].get<double>() / judge.fd_noise;
    row["class_match"] = judge.class_match(conditional, c.get_int("sample.per_class"), device);
  }
  image_grid_figure(ctx.out_dir, "negatives_" + t.combo.name, t.chains.narrow(0, 0, std::min<int64_t>(64, t.chains.size(0))),
                    8, t.combo.name + ": the last CD negatives");
  return row;
}

/// summary.md's text above the table: the training run, the test sets, and how the judge scores.
std::string preamble(const core::Config& c, const DataSets& data, const Judge& judge) {
  const auto steps = "E-SVGD " + std::to_string(c.get_int("svgd.equivariant_steps")) + " / SVGD " +
                     std::to_string(c.get_int("svgd.steps")) + " steps per batch";
  const auto test_images = std::min<int64_t>(kFrechetImages, data.tests.upright.size(0));
  const auto judged =
      judge.net ? "Samples are judged by the " + judge.name + " row: fd_samples = Fréchet distance between its penultimate "
                      "features of the " + std::to_string(c.get_int("sample.particles")) + " joint samples (" +
                      (c.get_string("sample.start") == "replay" ? "continuing the training replay buffer's chains"
                                                                : "started from uniform noise") +
                      ") and of " +
                      std::to_string(test_images) + " test images (control: as many uniform-noise images, " +
                      c10::str(judge.fd_noise) + "; floor: as many training images, " + c10::str(judge.fd_train) +
                      "); fd_ratio = fd_samples / the control; class_match = share of the class-conditional samples "
                      "it assigns to their class (chance: 0.1" +
                      (c.get_bool("sample.class_resample") ? "; their chains start from buffer rows drawn with the "
                                                             "model's own p(y|x)" : "") + ").\n\n"
                : std::string("No supervised row (reference.rows is empty): no Fréchet distance or class match.\n\n");
  return "Trained on " + std::to_string(data.train_images.images.size(0)) + " upright images (" +
         std::to_string(c.get_int("train.epochs")) + " epochs, " + steps + "); accuracy on " +
         std::to_string(data.test_images.images.size(0)) +
         " test images: upright, each rotated by a random multiple of 90° (seeded), and each rotation alone. " + judged;
}

class FashionMnist : public Experiment {
 public:
  Parallelism parallelism() const override { return Parallelism::kData; }
  std::string name() const override { return "fashion-mnist"; }
  std::string summary() const override {
    return "FashionMNIST JEM with a C4-steerable CNN energy, (E-)SVGD negatives; rotated-test accuracy, sample grids "
           "(Sec. 5, App. E.3)";
  }
  void declare(core::Config& c) const override {
    c.declare("device", "cpu", "torch device of the networks and the sampler: cpu, cuda or cuda:N");
    c.declare("data.dir", data::kFashionMnistDir, "folder with the four IDX files (Debian's dataset-fashion-mnist)");
    c.declare("data.train_subset", int64_t{0}, "train on a seeded random subset of this many images (0 = all 60000)");
    c.declare("data.test_subset", int64_t{0}, "test on a seeded random subset of this many images (0 = all 10000)");
    c.declare("model.fields", std::vector<int64_t>{16, 16, 32, 32, 32, 32, 64, 64},
              "fields per convolution layer (x4 channels: one per rotation); the seed gives 8 layers, not widths",
              {"ImageEnergyOptions::fields"});
    c.declare("model.kernel_size", int64_t{3}, "filter size of every convolution (odd)",
              {"ImageEnergyOptions::kernel_size"});
    c.declare("model.pool_after", std::vector<int64_t>{2, 4}, "layers followed by 2x2 average pooling (28 -> 14 -> 7)",
              {"ImageEnergyOptions::pool_after"});
    c.declare("model.head_hidden", int64_t{64}, "hidden units of the fully connected head",
              {"ImageEnergyOptions::head_hidden"});
    c.declare("reference.rows", std::vector<std::string>{"cnn", "c4-cnn"},
              "supervised reference rows without the generative term: cnn, c4-cnn (the last one judges the samples)");
    c.declare("reference.epochs", int64_t{0}, "epochs of the supervised rows (0 = train.epochs)");
    c.declare("sample.per_class", int64_t{8}, "class-conditional samples per class");
    c.declare("sample.class_resample", false,
              "class-conditional replay starts: draw the buffer's rows with probability p(y|x) under the model "
              "(importance resampling toward p(x|y)) instead of uniformly");
    EbmDefaults d;
    d.mlp_model = false;
    d.epochs = 300;
    d.batch_size = 64;
    d.checkpoint_every = 10;
    d.learning_rate = 1e-4;  // not in the seed: JEM's Adam rate
    d.ce_weight = 1.0;
    d.svgd_steps = 3000;
    d.svgd_step_size = 0.08;
    d.bandwidth = 0.1;
    d.equivariant_bandwidth = 0.005;
    d.epsilon = 0;
    d.reset_probability = 0.1;
    d.sample_particles = 64;
    d.sample_steps = 1000;
    d.sample_center = 0.5;
    d.sample_box = 0.5;
    d.sample_epsilon = 0;
    declare_ebm_keys(c, d);
    c.declare("svgd.equivariant_steps", int64_t{1000}, "SVGD steps per batch of the e-svgd combinations (0 = svgd.steps)");
  }
  nlohmann::json quick_preset() const override {
    return {{"data.train_subset", 2000}, {"data.test_subset", 2000},     {"model.fields", {4, 4, 8, 8, 8, 8, 16, 16}},
            {"train.epochs", 4},          {"train.learning_rate", 1e-3}, {"train.checkpoint_every", 2},
            {"svgd.steps", 6},            {"svgd.equivariant_steps", 2}, {"sample.steps", 50}};
  }
  std::map<std::string, nlohmann::json> extra_presets() const override {
    return {{"cpu",
             {{"data.train_subset", 10000}, {"data.test_subset", 0},        {"model.fields", {4, 4, 8, 8, 8, 8, 16, 16}},
              {"train.epochs", 8},          {"train.learning_rate", 1e-3}, {"train.checkpoint_every", 2},
              {"svgd.steps", 15},           {"svgd.equivariant_steps", 5}, {"sample.steps", 200}}},
            // `tuned`: negatives that move, at the CPU preset's scale (docs/method.md, "FashionMNIST: a
            // preset that generates"): JEM's SGLD (x += ∇ log p + 0.01 ξ, 20 steps) from uniform
            // noise through a replay buffer, each step clamped into the pixels' range [0, 1]; the
            // energy regulariser and a clipped drift keep the logits from running away. Samples
            // continue the replay buffer's chains (JEM's protocol; sample.start = noise starts
            // afresh), the class-conditional ones from rows drawn by the model's p(y|x). Noisy
            // E-SVGD with the same drift and noise is configured (add "e-ebm+e-svgd" to
            // combinations) but not run by default: sampling 500 images with the C4-averaged
            // kernel took ~30 s per step on 2 cores (docs/results.md).
            {"tuned",
             {{"data.train_subset", 10000},    {"data.test_subset", 0},
              {"model.fields", {4, 4, 8, 8, 8, 8, 16, 16}},
              {"combinations", {"ebm+langevin", "e-ebm+langevin"}},
              {"train.epochs", 3},             {"train.learning_rate", 1e-3},
              {"loss.energy_l2", 0.1},         {"langevin.clip", 1.0},
              {"langevin.clamp", {0.0, 1.0}},  {"train.checkpoint_every", 1},
              {"chains.init", "uniform"},
              {"chains.low", 0.0},             {"chains.high", 1.0},
              {"chains.anchors", false},       {"chains.replay_size", 10000},
              {"chains.replay_fresh", 0.05},   {"langevin.steps", 20},
              {"langevin.step_size", 2.0},     {"langevin.noise", 0.01 / std::sqrt(2.0)},
              {"svgd.regular_sampler", "rbf"}, {"svgd.equivariant_sampler", "orbit-scalar"},
              {"svgd.equivariant_bandwidth", 0.0}, {"svgd.median", true},
              {"svgd.median_interval", 10},    {"svgd.normalize", "kernel-mass"},
              {"svgd.langevin", true},         {"svgd.langevin_noise", 0.01 / std::sqrt(2.0)},
              {"svgd.step_size", 1.0},         {"svgd.steps", 20},
              {"svgd.equivariant_steps", 20},  {"sample.steps", 200},
              {"sample.step_size", 0.0},       {"sample.particles", 500},
              {"sample.per_class", 20},        {"sample.start", "replay"},
              {"sample.class_resample", true}}}};
  }

  nlohmann::json run(const core::Config& c, const RunContext& ctx) const override {
    const auto device = parse_device(c);
    at::Generator gen = at::detail::createCPUGenerator(ctx.seed);
    const auto data = load_data(c, ctx, device, gen);
    group::ImageRotationGroup group(kSide);
    const ModelFactory factory = [&](const Combination& combo) { return make_model(c, combo.equivariant_model, device); };
    const auto combos = checked_combinations(c, group, kDim, kClasses, factory);
    // The supervised rows first: the last of them (c4-cnn by default) judges the samples.
    auto refs = train_references(c, ctx, data, device, gen);
    std::vector<TrainedModel> trained;
    std::vector<nlohmann::json> rows;
    for (const auto& combo : combos) {
      auto t = train_combination(c, ctx, combo, group, data.train, kClasses, gen, factory);
      rows.push_back(evaluate(c, ctx, t, data.tests, refs.judge, device, gen));
      trained.push_back(std::move(t));
    }
    rows.insert(rows.end(), refs.rows.begin(), refs.rows.end());
    auto result = finish_ebm_run(
        ctx, trained, rows, "fashion-mnist", preamble(c, data, refs.judge),
        {"combination", "acc_upright", "acc_rotated", "acc_rot90", "acc_rot180", "acc_rot270", "energy_data",
         "energy_samples", "energy_noise", "fd_samples", "fd_ratio", "class_match", "svgd_steps_per_batch",
         "interacting_train", "train_seconds"});
    const auto& judge = refs.judge;
    if (judge.net) result.update({{"judge", judge.name}, {"fd_noise", judge.fd_noise}, {"fd_train", judge.fd_train}});
    return result;
  }
};

}  // namespace

std::shared_ptr<const Experiment> make_fashion_mnist() { return std::make_shared<FashionMnist>(); }

}  // namespace esvgd::experiment
