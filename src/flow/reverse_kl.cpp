// Reverse-KL training of a flow (esvgd/flow/reverse_kl.h).
#include "esvgd/flow/reverse_kl.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <torch/types.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"
#include "train/adam_state.h"

namespace esvgd::flow {

void check_reverse_kl(const ReverseKlOptions& o) {
  if (o.steps() < 0) throw Error(ErrorKind::kInvalidArgument, "ReverseKlOptions::steps", "must be >= 0");
  if (o.batch() < 1) throw Error(ErrorKind::kInvalidArgument, "ReverseKlOptions::batch", "must be >= 1");
  if (!(o.learning_rate() > 0))
    throw Error(ErrorKind::kInvalidArgument, "ReverseKlOptions::learning_rate", "must be > 0");
  if (!(o.clip_norm() >= 0)) throw Error(ErrorKind::kInvalidArgument, "ReverseKlOptions::clip_norm", "must be >= 0");
  if (o.anneal_steps() < 0) throw Error(ErrorKind::kInvalidArgument, "ReverseKlOptions::anneal_steps", "must be >= 0");
  if (!(o.anneal_start() > 0 && o.anneal_start() <= 1))
    throw Error(ErrorKind::kInvalidArgument, "ReverseKlOptions::anneal_start", "must lie in (0, 1]");
  if (o.checkpoint_every() < 1)
    throw Error(ErrorKind::kInvalidArgument, "ReverseKlOptions::checkpoint_every", "must be >= 1");
}

namespace {

/// Everything a resume needs: the flow, Adam, the generator, the step and the losses so far.
void save_checkpoint(const std::string& path, Flow& flow, const torch::optim::Adam& adam, const at::Generator& gen,
                     const std::vector<double>& loss, const std::string& fingerprint) {
  torch::serialize::OutputArchive root, m, opt;
  flow.save(m);
  train::save_adam_state(adam, opt);
  root.write("flow", m);
  root.write("optimizer", opt);
  root.write("rng", gen.get_state());
  root.write("loss", torch::tensor(loss, torch::kFloat64));
  root.write("fingerprint", c10::IValue(fingerprint));
  std::filesystem::create_directories(std::filesystem::absolute(path).parent_path());
  core::write_atomic(path, [&](std::ostream& os) { root.save_to(os); });
}

/// Restores a checkpoint into flow, adam and gen; returns the losses of the steps it holds.
std::vector<double> load_checkpoint(const std::string& path, Flow& flow, torch::optim::Adam& adam, at::Generator& gen,
                                    const std::string& fingerprint) {
  torch::serialize::InputArchive root, m, opt;
  c10::IValue stored;
  torch::Tensor rng, loss;
  try {
    std::istringstream is(core::read_text(path));
    root.load_from(is);
    root.read("fingerprint", stored);
    root.read("flow", m);
    root.read("optimizer", opt);
    root.read("rng", rng);
    root.read("loss", loss);
  } catch (const c10::Error& e) {
    throw Error(ErrorKind::kFormat, path, std::string("not a readable flow checkpoint: ") + e.what_without_backtrace());
  }
  if (stored.toStringRef() != fingerprint)
    throw Error(ErrorKind::kConfig, path,
                "this checkpoint was written by a run with another configuration or seed; resume with the same "
                "settings or start a new output folder");
  flow.load(m);
  if (!train::load_adam_state(adam, opt)) throw Error(ErrorKind::kFormat, path, "the optimizer state is unreadable");
  gen.set_state(rng);
  const auto l = loss.contiguous();
  return {l.data_ptr<double>(), l.data_ptr<double>() + l.numel()};
}

/// β of step `step`: linear from anneal_start to 1 over anneal_steps, then 1.
double inverse_temperature(const ReverseKlOptions& o, int64_t step) {
  if (step >= o.anneal_steps()) return 1.0;
  return o.anneal_start() +
         (1.0 - o.anneal_start()) * static_cast<double>(step) / static_cast<double>(o.anneal_steps());
}

std::string loss_text(double loss) {
  std::ostringstream os;
  os.precision(4);
  os << "loss " << loss;
  return os.str();
}

}  // namespace

ReverseKlResult train_reverse_kl(Flow& flow, const LogProbFn& log_prob, const ReverseKlOptions& o, at::Generator gen,
                                 bool resume, core::Progress* progress) {
  check_reverse_kl(o);
  torch::optim::Adam adam(flow.parameters(), torch::optim::AdamOptions(o.learning_rate()));
  ReverseKlResult result;
  const auto& path = o.checkpoint_path();
  if (resume && !path.empty() && std::filesystem::exists(path)) {
    result.loss = load_checkpoint(path, flow, adam, gen, o.fingerprint());
    result.resumed = true;
  }
  const auto start = std::chrono::steady_clock::now();
  for (auto step = static_cast<int64_t>(result.loss.size()); step < o.steps(); ++step) {
    adam.zero_grad();
    const auto draws = flow.sample(o.batch(), gen);  // log_det holds log q(x)
    const auto loss = (draws.log_det - inverse_temperature(o, step) * log_prob(draws.value)).mean();
    const double value = loss.item<double>();
    if (!std::isfinite(value))
      throw Error(ErrorKind::kNumerical, "reverse-KL training",
                  "the loss is not finite at step " + std::to_string(step) +
                      " (log π is -inf, +inf or NaN at the flow's draws; lower the learning rate or check log π)");
    loss.backward();
    if (o.clip_norm() > 0) torch::nn::utils::clip_grad_norm_(flow.parameters(), o.clip_norm());
    adam.step();
    result.loss.push_back(value);
    if (progress) progress->update(step + 1, loss_text(value));
    const bool last = step + 1 == o.steps();
    if (!path.empty() && ((step + 1) % o.checkpoint_every() == 0 || last))
      save_checkpoint(path, flow, adam, gen, result.loss, o.fingerprint());
  }
  if (progress) progress->finish(result.loss.empty() ? "" : loss_text(result.loss.back()));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace esvgd::flow
