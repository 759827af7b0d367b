#include "esvgd/train/cd_trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"
#include "core/interrupt.h"
#include "esvgd/core/progress.h"
#include "esvgd/dist/rank_exchange.h"
#include "esvgd/sampler/particle_parallel.h"
#include "adam_state.h"
#include "replicas.h"

namespace esvgd::train {

namespace {

EpochRecord epoch_from_json(const nlohmann::json& j) {
  EpochRecord r;
  r.epoch = j.at("epoch"); r.loss = j.at("loss"); r.cd = j.at("cd"); r.ce = j.at("ce"); r.mse = j.at("mse");
  r.energy_pos = j.at("energy_pos"); r.energy_neg = j.at("energy_neg"); r.svgd_steps = j.at("svgd_steps");
  r.resets = j.at("resets"); r.learning_rate = j.at("learning_rate"); r.svgd_step_size = j.at("svgd_step_size");
  r.bandwidth = j.value("bandwidth", 0.0);  // older checkpoints lack the coupling diagnostic
  r.interacting = j.value("interacting", -1.0);
  r.seconds = j.value("seconds", 0.0);
  return r;
}

std::string seconds_path(const std::string& checkpoint) { return checkpoint + ".seconds.json"; }

/// The epochs' wall times, when the file beside the checkpoint has one for each epoch.
void restore_seconds(const std::string& path, std::vector<EpochRecord>& history) {
  if (!std::filesystem::exists(path)) return;
  const auto seconds = nlohmann::json::parse(core::read_text(path), nullptr, /*allow_exceptions=*/false);
  if (!seconds.is_array() || seconds.size() != history.size()) return;
  for (size_t i = 0; i < history.size(); ++i)
    if (seconds[i].is_number()) history[i].seconds = seconds[i].get<double>();
}

void set_learning_rate(torch::optim::Adam& opt, double lr) {
  for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

}  // namespace

// Checkpoint form of a batch record: every field; fields missing in older checkpoints take their defaults.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BatchRecord, epoch, batch, reset, svgd_steps, stop_reason, loss, cd, ce,
                                                mse, energy_pos, energy_neg, bandwidth, interacting)

nlohmann::json to_json(const EpochRecord& r) {
  return {{"epoch", r.epoch}, {"loss", r.loss}, {"cd", r.cd}, {"ce", r.ce}, {"mse", r.mse},
          {"energy_pos", r.energy_pos}, {"energy_neg", r.energy_neg}, {"svgd_steps", r.svgd_steps},
          {"resets", r.resets}, {"learning_rate", r.learning_rate}, {"svgd_step_size", r.svgd_step_size},
          {"bandwidth", r.bandwidth}, {"interacting", r.interacting}, {"seconds", r.seconds}};
}

ChainInit parse_chain_init(const std::string& name) {
  if (name == "data") return ChainInit::kData;
  if (name == "uniform") return ChainInit::kUniform;
  throw Error(ErrorKind::kInvalidArgument, "CdOptions::chain_init",
              "unknown chain init '" + name + "' (expected data or uniform)");
}

NegativeSampler parse_negative_sampler(const std::string& name) {
  if (name == "svgd") return NegativeSampler::kSvgd;
  if (name == "langevin") return NegativeSampler::kLangevin;
  throw Error(ErrorKind::kInvalidArgument, "CdOptions::sampler",
              "unknown negative sampler '" + name + "' (expected svgd or langevin)");
}

CdTrainer::CdTrainer(std::shared_ptr<model::EnergyNetwork> model, std::shared_ptr<const kernel::Kernel> kernel, sampler::SvgdOptions svgd,
                     CdOptions options, uint64_t seed, const core::Collectives* ranks)
    : model_(std::move(model)), kernel_(std::move(kernel)), svgd_(std::move(svgd)), options_(std::move(options)),
      gen_(at::detail::createCPUGenerator(seed)), ranks_(ranks && ranks->size() > 1 ? ranks : nullptr) {
  const auto& o = options_;
  if (o.epochs() < 0) throw Error(ErrorKind::kInvalidArgument, "CdOptions::epochs", "must be >= 0");
  if (o.batch_size() < 1) throw Error(ErrorKind::kInvalidArgument, "CdOptions::batch_size", "must be >= 1");
  if (ranks_) {
    if (o.batch_size() < ranks_->size())
      throw Error(ErrorKind::kInvalidArgument, "CdOptions::batch_size",
                  "must be at least the number of ranks (" + std::to_string(ranks_->size()) + ") in data-parallel training");
    split_ = std::make_unique<const dist::RankExchange>(*ranks_, o.batch_size());
  }
  if (!(o.reset_probability() >= 0 && o.reset_probability() <= 1))
    throw Error(ErrorKind::kInvalidArgument, "CdOptions::reset_probability", "must lie in [0, 1]");
  if (o.chain_init() == ChainInit::kUniform && !(o.box_high() > o.box_low()))
    throw Error(ErrorKind::kInvalidArgument, "CdOptions::box_high", "must be > CdOptions::box_low");
  for (auto [v, key] : {std::pair{o.ce_weight(), "CdOptions::ce_weight"}, {o.mse_weight(), "CdOptions::mse_weight"},
                        {o.energy_l2(), "CdOptions::energy_l2"}, {o.grad_clip(), "CdOptions::grad_clip"},
                        {o.data_noise(), "CdOptions::data_noise"}})
    if (!(v >= 0) || !std::isfinite(v)) throw Error(ErrorKind::kInvalidArgument, key, "must be a finite number >= 0");
  if (o.checkpoint_every() < 0) throw Error(ErrorKind::kInvalidArgument, "CdOptions::checkpoint_every", "must be >= 0");
  if (o.replay_size() < 0) throw Error(ErrorKind::kInvalidArgument, "CdOptions::replay_size", "must be >= 0 (0 = off)");
  if (o.replay_size() > 0) replay_ = std::make_unique<ReplayBuffer>(o.replay_size(), o.replay_fresh());
  if (o.denoising()) {
    sampler::check_noise_ladder(o.noise());
    if (!model_->noise_conditional())
      throw Error(ErrorKind::kInvalidArgument, "CdOptions::denoising", "needs a noise-conditional energy");
  }
  // Validate the sampler options now (their errors name the option), not at the first batch.
  svgd_.optimizer().step_size(o.svgd_step_size().at(0));
  negative_sampler();
  if (!(o.adam_beta1() >= 0 && o.adam_beta1() < 1))
    throw Error(ErrorKind::kInvalidArgument, "CdOptions::adam_beta1", "must lie in [0, 1)");
  optimizer_ = std::make_unique<torch::optim::Adam>(
      model_->parameters(), torch::optim::AdamOptions(o.learning_rate().at(0)).betas({o.adam_beta1(), 0.999}));
}

CdTrainer::~CdTrainer() = default;

void CdTrainer::save_checkpoint() const {
  if (options_.checkpoint_path().empty() || (ranks_ && ranks_->rank() != 0)) return;
  torch::serialize::OutputArchive root, m, opt;
  model_->save(m);
  save_adam_state(*optimizer_, opt);
  root.write("model", m);
  root.write("optimizer", opt);
  root.write("chains", chains_.defined() ? chains_ : torch::empty({0}));
  if (replay_) root.write("replay", replay_->contents().defined() ? replay_->contents() : torch::empty({0}));
  root.write("rng", gen_.get_state());
  root.write("epoch", torch::tensor(epoch_, torch::kLong));
  nlohmann::json log{{"history", nlohmann::json::array()}, {"batches", nlohmann::json::array()}};
  // Wall times go beside the checkpoint, so that equal training states give equal files.
  nlohmann::json seconds = nlohmann::json::array();
  for (const auto& r : history_) {
    auto j = to_json(r);
    seconds.push_back(j.at("seconds"));
    j.erase("seconds");
    log["history"].push_back(j);
  }
  for (const auto& r : batches_) log["batches"].push_back(r);
  root.write("log", c10::IValue(log.dump()));
  root.write("fingerprint", c10::IValue(options_.fingerprint()));
  root.write("threads", torch::tensor(static_cast<int64_t>(at::get_num_threads()), torch::kLong));
  std::filesystem::create_directories(std::filesystem::path(options_.checkpoint_path()).parent_path());
  core::write_atomic(options_.checkpoint_path(), [&](std::ostream& os) { root.save_to(os); });
  core::write_text_atomic(seconds_path(options_.checkpoint_path()), seconds.dump() + "\n");
}

bool CdTrainer::resume() {
  const auto& path = options_.checkpoint_path();
  const bool readable = !path.empty() && std::filesystem::exists(path);
  const std::string bytes = ranks_ ? broadcast_bytes(readable ? core::read_text(path) : "", *ranks_)
                                   : readable ? core::read_text(path) : "";
  if (bytes.empty()) return false;
  const std::string shown = path.empty() ? "rank 0's checkpoint" : path;
  torch::serialize::InputArchive root, m, opt;
  c10::IValue fingerprint, log;
  torch::Tensor chains, rng, epoch;
  try {
    std::istringstream is(bytes);
    root.load_from(is);
    root.read("fingerprint", fingerprint);
    root.read("model", m);
    root.read("optimizer", opt);
    root.read("chains", chains);
    root.read("rng", rng);
    root.read("epoch", epoch);
    root.read("log", log);
  } catch (const c10::Error& e) {
    throw Error(ErrorKind::kFormat, shown, std::string("not a readable esvgd checkpoint: ") + e.what_without_backtrace());
  }
  if (fingerprint.toStringRef() != options_.fingerprint())
    throw Error(ErrorKind::kConfig, shown,
                "this checkpoint was written by a run with another configuration or seed; resume with the same "
                "settings or start a new output folder");
  model_->load(m);
  if (!load_adam_state(*optimizer_, opt)) optimizer_->load(opt);  // LibTorch's layout, in older checkpoints
  chains_ = chains.numel() > 0 ? chains : torch::Tensor();
  if (replay_) {
    torch::Tensor replay;
    if (!root.try_read("replay", replay))
      throw Error(ErrorKind::kFormat, shown, "the checkpoint holds no replay buffer (written by a run without one)");
    replay_->set_contents(replay);
  }
  gen_.set_state(rng);
  epoch_ = epoch.item<int64_t>();
  torch::Tensor threads;
  checkpoint_threads_ = root.try_read("threads", threads) ? threads.item<int64_t>() : 0;  // older checkpoints lack it
  const auto j = nlohmann::json::parse(log.toStringRef());
  history_.clear();
  batches_.clear();
  for (const auto& r : j.at("history")) history_.push_back(epoch_from_json(r));
  restore_seconds(seconds_path(path), history_);
  for (const auto& r : j.at("batches")) batches_.push_back(r.get<BatchRecord>());
  return true;
}

std::unique_ptr<sampler::ChainSampler> CdTrainer::negative_sampler() const {
  if (options_.sampler() == NegativeSampler::kLangevin)
    return std::make_unique<sampler::Langevin>(model_->frozen_score(), options_.langevin());
  return std::make_unique<sampler::Svgd>(model_->frozen_score(), kernel_, svgd_);
}

sampler::ChainResult CdTrainer::sample_negatives(const torch::Tensor& starts, const torch::Tensor& x) {
  const auto anchors = options_.anchors() ? x : torch::Tensor();
  if (!split_) return negative_sampler()->run(starts, anchors, gen_);
  const auto own = split_->own_rows(starts);
  if (options_.sampler() == NegativeSampler::kLangevin) {
    auto state = sampler::init(own, options_.langevin(), gen_);
    return sampler::run(state, model_->frozen_score(), options_.langevin(), *split_);
  }
  auto state = sampler::init(own, *kernel_, svgd_, gen_, anchors);
  return sampler::run(state, model_->frozen_score(), *kernel_, svgd_, *split_);
}

torch::Tensor CdTrainer::own_rows(const torch::Tensor& t) const {
  return split_ && t.defined() ? split_->own_rows(t) : t;
}

int CdTrainer::interrupt_signal() const {
  const int signal = core::interrupt_signal();
  return ranks_ ? static_cast<int>(max_over_ranks(signal, *ranks_)) : signal;
}

torch::Tensor CdTrainer::chain_starts(const torch::Tensor& x, BatchRecord& rec) {
  const auto& o = options_;
  auto fresh = [&] {
    return o.chain_init() == ChainInit::kData
               ? x.clone()
               : (o.box_low() + (o.box_high() - o.box_low()) * torch::rand(x.sizes(), gen_, torch::kFloat32)).to(x.device());
  };
  // One uniform per batch whatever happens, so that the random stream does not depend on the outcome.
  const double u = torch::rand({1}, gen_, torch::kFloat64).item<double>();
  if (replay_) {
    const auto d = replay_->draw(fresh(), gen_);
    rec.reset = d.fresh > 0;
    return d.starts;
  }
  rec.reset = !chains_.defined() || u < o.reset_probability();
  if (rec.reset) return fresh();
  return chains_.to(x.device());  // a no-op unless resumed from a checkpoint (loaded on the CPU)
}

BatchRecord CdTrainer::train_batch(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& e,
                                   int64_t batch) {
  if (options_.denoising()) return denoising_batch(x, batch);
  BatchRecord rec;
  rec.epoch = epoch_;
  rec.batch = batch;
  const auto& o = options_;
  {
    const auto result = sample_negatives(chain_starts(x, rec), x);
    chains_ = result.particles;
    if (replay_) replay_->push(chains_);
    rec.svgd_steps = result.steps;
    rec.stop_reason = sampler::to_string(result.stop_reason);
    rec.bandwidth = result.bandwidth;
    rec.interacting = result.interacting;
  }
  // Every term is a sum over this rank's rows divided by the whole batch size (a mean in one
  // process), so that the ranks' losses and gradients add up to those of the whole batch.
  const double B = static_cast<double>(x.size(0));
  const auto mean = [B](const torch::Tensor& v) { return v.sum() / B; };
  // Noisy positives widen the data's basin, so that chains still short of it are pulled in (drawn
  // for the whole batch on every rank, so that the generator stays the same everywhere).
  const auto positives =
      o.data_noise() > 0 ? x + o.data_noise() * torch::randn(x.sizes(), gen_, x.scalar_type()).to(x.device()) : x;
  const auto O = model_->outputs(own_rows(positives));
  const auto E_pos = model_->energy_from_outputs(O);
  const auto E_neg = model_->energy(own_rows(chains_).detach());
  auto cd = mean(E_pos) - mean(E_neg);
  auto loss = cd;
  auto ce = torch::zeros({}, cd.options()), mse = torch::zeros({}, cd.options());
  if (o.ce_weight() > 0 && y.defined())
    loss = loss + o.ce_weight() * (ce = torch::cross_entropy_loss(O, own_rows(y), {}, at::Reduction::Sum) / B);
  if (o.mse_weight() > 0 && e.defined()) loss = loss + o.mse_weight() * (mse = mean((E_pos - own_rows(e)).square()));
  if (o.energy_l2() > 0) loss = loss + o.energy_l2() * (mean(E_pos.square()) + mean(E_neg.square()));
  const auto stats = step_on(loss, torch::stack({loss, cd, ce, mse, mean(E_pos), mean(E_neg)}), batch);
  const auto v = stats.accessor<double, 1>();
  rec.loss = v[0];
  rec.cd = v[1];
  rec.ce = v[2];
  rec.mse = v[3];
  rec.energy_pos = v[4];
  rec.energy_neg = v[5];
  return rec;
}

torch::Tensor CdTrainer::step_on(const torch::Tensor& loss, torch::Tensor stats, int64_t batch) {
  stats = stats.detach().to(torch::kCPU, torch::kFloat64);
  if (ranks_) stats = ranks_->all_reduce_sum(stats);  // before the check, so that every rank stops together
  if (!std::isfinite(stats[0].item<double>()))
    throw Error(ErrorKind::kNumerical, "epoch " + std::to_string(epoch_ + 1) + ", batch " + std::to_string(batch + 1),
                "the training loss became NaN or inf; try a smaller CdOptions::learning_rate, "
                "CdOptions::energy_l2 > 0 or CdOptions::grad_clip > 0");
  optimizer_->zero_grad();
  loss.backward();
  if (ranks_) sum_gradients(model_->parameters(), *ranks_);
  if (options_.grad_clip() > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), options_.grad_clip());
  optimizer_->step();
  return stats;
}

BatchRecord CdTrainer::denoising_batch(const torch::Tensor& x, int64_t batch) {
  BatchRecord rec;
  rec.epoch = epoch_;
  rec.batch = batch;
  const int64_t B = x.size(0), D = x.size(1);
  // Levels and noise are drawn for the whole batch on every rank, so that the generator stays the same everywhere.
  const auto levels = sampler::noise_levels(options_.noise());
  const auto pick = torch::randint(static_cast<int64_t>(levels.size()), {B}, gen_, torch::kLong);
  const auto sigma = torch::tensor(levels, torch::kFloat32).index_select(0, pick).to(x.device());
  const auto xi = own_rows(torch::randn({B, D}, gen_, torch::kFloat32).to(x.device()));
  const auto s = own_rows(sigma).unsqueeze(1);
  const auto noisy = (own_rows(x) + s * xi).detach().requires_grad_(true);
  const auto E = model_->noise_energy(noisy, s.squeeze(1));
  const auto grad = torch::autograd::grad({E.sum()}, {noisy}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  // Sums over this rank's rows divided by the whole batch, as the CD loss (the ranks' gradients add up).
  const auto loss = (s * grad - xi).square().sum() / static_cast<double>(B * D);
  const auto stats = step_on(loss, torch::stack({loss, E.sum() / static_cast<double>(B)}), batch);
  rec.loss = stats[0].item<double>();
  rec.energy_pos = stats[1].item<double>();
  return rec;
}

void CdTrainer::fit(const data::TrainingData& data, const std::function<void(const EpochRecord&)>& on_epoch,
                    core::Progress* progress) {
  const auto& o = options_;
  const int64_t n = data.x.size(0);
  if (n < o.batch_size())
    throw Error(ErrorKind::kInvalidArgument, "CdOptions::batch_size",
                "is larger than the training set (" + std::to_string(n) + " points)");
  const auto x = data.x.to(torch::kFloat32);
  const auto e = data.energies.defined() ? data.energies.to(torch::kFloat32) : torch::Tensor();
  const int64_t batches = n / o.batch_size();  // the last partial batch is dropped
  while (epoch_ < o.epochs()) {
    set_learning_rate(*optimizer_, o.learning_rate().at(epoch_));
    svgd_.optimizer().step_size(o.svgd_step_size().at(epoch_));
    const auto perm = torch::randperm(n, gen_, torch::kLong);
    const auto t0 = std::chrono::steady_clock::now();
    EpochRecord er;
    er.epoch = epoch_;
    er.learning_rate = o.learning_rate().at(epoch_);
    er.svgd_step_size = svgd_.optimizer().step_size();
    double interacting = 0;
    int64_t measured = 0;
    for (int64_t b = 0; b < batches; ++b) {
      const auto idx = perm.narrow(0, b * o.batch_size(), o.batch_size()).to(x.device());  // data may live on a GPU
      const auto y = data.labels.defined() ? data.labels.index_select(0, idx) : torch::Tensor();
      const auto rec = train_batch(x.index_select(0, idx), y, e.defined() ? e.index_select(0, idx) : torch::Tensor(), b);
      er.loss += rec.loss / batches; er.cd += rec.cd / batches; er.ce += rec.ce / batches;
      er.mse += rec.mse / batches; er.energy_pos += rec.energy_pos / batches;
      er.energy_neg += rec.energy_neg / batches;
      er.svgd_steps += static_cast<double>(rec.svgd_steps) / batches;
      if (rec.interacting >= 0) {
        interacting += rec.interacting;
        ++measured;
      }
      er.bandwidth = rec.bandwidth;
      er.resets += rec.reset;
      batches_.push_back(rec);
    }
    er.interacting = measured > 0 ? interacting / static_cast<double>(measured) : -1.0;
    ++epoch_;
    er.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    history_.push_back(er);
    if (on_epoch) on_epoch(er);
    if (progress) {  // report(), not update(): a signal must stop the run below, after a checkpoint
      std::ostringstream extra;
      extra << "loss " << er.loss << ", svgd steps/batch " << er.svgd_steps;
      progress->report(epoch_, extra.str());
    }
    if (const int signal = interrupt_signal(); signal != 0) {  // the epoch's end is the safe point: checkpoint, then stop
      save_checkpoint();
      throw core::Interrupted(signal, "after epoch " + std::to_string(epoch_) + " (checkpoint written; --resume continues)");
    }
    if (epoch_ == o.epochs() || (o.checkpoint_every() > 0 && epoch_ % o.checkpoint_every() == 0)) {
      if (ranks_) check_same_parameters(model_->parameters(), *ranks_, "after epoch " + std::to_string(epoch_));
      save_checkpoint();
    }
  }
}

}  // namespace esvgd::train
