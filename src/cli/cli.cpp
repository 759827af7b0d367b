#include "cli/cli.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include "cli/figures.h"
#include "core/atomic_file.h"
#include "esvgd/core/error.h"
#include "core/interrupt.h"
#include "core/printable.h"
#include "esvgd/core/progress.h"
#include "esvgd/dist/communicator.h"
#include "esvgd/dist/launch_env.h"
#include "esvgd/dist/rank_exchange.h"
#include "esvgd/model/energy_model.h"
#include "experiment/experiment.h"
#include "experiment/sampler_registry.h"
#include "launch.h"
#include "seeds.h"
#include "run_folder.h"

namespace esvgd::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0, kExitRuntime = 1, kExitUsage = 2;

const char* kUsage =
    "usage: esvgd run <experiment> [--preset paper|quick|cpu] [--config FILE.json] [--set key=value]...\n"
    "                              [--out DIR] [--resume DIR] [--init FILE.npy] [--seed N] [--threads N] [--quiet]\n"
    "                              [--no-plot] [--dist-timeout SECONDS] [--seeds 1-5 [--jobs J]]\n"
    "       esvgd config <experiment> [--preset P] [--config FILE.json] [--set key=value]... [--json]\n"
    "       esvgd plot <run folder>   (redraws its figures with matplotlib)\n"
    "       esvgd launch --nproc K [--master-port P] [--grace SECONDS] -- run <experiment> ...\n"
    "       esvgd list\n";

struct Args {
  std::string command, experiment, preset = "paper", config_file, out, init, resume;
  std::vector<std::string> sets;
  uint64_t seed = 42;
  int threads = 1;
  double dist_timeout = 300;  ///< seconds: the rendezvous and each collective of a multi-rank run
  bool quiet = false;
  bool json = false;
  bool plot = true;
  std::string seeds;  ///< --seeds: one run per seed, then a summary over them (cli/seeds.h)
  int jobs = 1;
  std::vector<std::string> raw;  ///< the arguments as given, for the runs of --seeds
  LaunchOptions launch;
  std::vector<std::string> launched;  ///< the command after `launch ... --`
};

/// The first line of a message, printable: errors are one line.
std::string first_line(const std::string& text) { return core::printable(text.substr(0, text.find('\n'))); }

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int64_t parse_int(const std::string& flag, const std::string& text, int64_t min) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < min)
    throw UsageError(flag + " expects an integer >= " + std::to_string(min) + ", got '" + text + "'");
  return v;
}

/// The value after the flag at args[i] (i moves onto it).
std::string value_of(const std::vector<std::string>& args, size_t& i, const std::string& flag) {
  if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
  return args[++i];
}

/// esvgd launch --nproc K [--master-port P] [--grace S] -- COMMAND...
Args parse_launch(Args a, const std::vector<std::string>& args) {
  size_t i = 1;
  auto value = [&](const std::string& flag) { return value_of(args, i, flag); };
  for (; i < args.size() && args[i] != "--"; ++i) {
    const std::string& f = args[i];
    if (f == "--nproc") a.launch.nproc = static_cast<int>(parse_int(f, value(f), 1));
    else if (f == "--master-port") a.launch.master_port = static_cast<int>(parse_int(f, value(f), 1));
    else if (f == "--grace") a.launch.grace_seconds = static_cast<double>(parse_int(f, value(f), 0));
    else throw UsageError("unknown option '" + f + "' of 'launch'");
  }
  if (i + 1 >= args.size())
    throw UsageError("'launch' needs -- and a command, e.g. esvgd launch --nproc 2 -- run c4-gaussians");
  if (a.launch.master_port > 65535) throw UsageError("--master-port expects a port <= 65535");
  a.launched.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  return a;
}

Args parse(int argc, char** argv) {
  Args a;
  std::vector<std::string> args(argv + 1, argv + argc);
  a.raw = args;
  if (args.empty()) throw UsageError("missing command");
  a.command = args[0];
  size_t i = 1;
  if (a.command == "run" || a.command == "config") {
    if (args.size() < 2 || args[1].rfind("--", 0) == 0) throw UsageError("'" + a.command + "' needs an experiment name");
    a.experiment = args[1];
    i = 2;
  } else if (a.command == "plot") {
    if (args.size() != 2 || args[1].rfind("--", 0) == 0) throw UsageError("'plot' needs one run folder");
    a.out = args[1];
    return a;
  } else if (a.command == "launch") {
    return parse_launch(a, args);
  } else if (a.command != "list" && a.command != "--help" && a.command != "-h" && a.command != "help") {
    throw UsageError("unknown command '" + a.command + "'");
  }
  auto value = [&](const std::string& flag) { return value_of(args, i, flag); };
  for (; i < args.size(); ++i) {
    const std::string& f = args[i];
    if (f == "--preset") a.preset = value(f);
    else if (f == "--config") a.config_file = value(f);
    else if (f == "--set") a.sets.push_back(value(f));
    else if (f == "--out") a.out = value(f);
    else if (f == "--init") a.init = value(f);
    else if (f == "--resume") a.resume = value(f);
    else if (f == "--seed") a.seed = static_cast<uint64_t>(parse_int(f, value(f), 0));
    else if (f == "--threads") a.threads = static_cast<int>(parse_int(f, value(f), 1));
    else if (f == "--quiet") a.quiet = true;
    else if (f == "--no-plot" && a.command == "run") a.plot = false;
    else if (f == "--seeds" && a.command == "run") a.seeds = value(f);
    else if (f == "--jobs" && a.command == "run") a.jobs = static_cast<int>(parse_int(f, value(f), 1));
    else if (f == "--dist-timeout" && a.command == "run") a.dist_timeout = static_cast<double>(parse_int(f, value(f), 1));
    else if (f == "--json" && a.command == "config") a.json = true;
    else throw UsageError("unknown option '" + f + "'");
  }
  return a;
}

core::Config resolve_config(const experiment::Experiment& e, const Args& a) {
  auto config = experiment::make_config(e, a.preset);
  if (!a.config_file.empty()) config.merge_file(a.config_file);
  std::set<std::string> keys;
  for (const auto& s : a.sets) {
    const std::string key = s.substr(0, s.find('='));
    if (!keys.insert(key).second)
      throw Error(ErrorKind::kConfig, "--set " + key, "is given twice; give each key once");
    config.set_from_string(s);
  }
  return config;
}

/// --init only where the experiment reads it, and only from a regular file (a FIFO would hang).
void check_init(const experiment::Experiment& e, const std::string& init) {
  if (init.empty()) return;
  if (!e.takes_init())
    throw Error(ErrorKind::kConfig, "--init", "'" + e.name() + "' draws its own starting points; --init does not apply");
  std::error_code ec;
  if (!fs::exists(init, ec)) throw Error(ErrorKind::kIo, init, "--init file does not exist");
  if (!fs::is_regular_file(init, ec)) throw Error(ErrorKind::kIo, init, "--init must be a regular .npy file");
}

/// More threads than cores only add contention: capped, with a warning.
int usable_threads(int requested, std::ostream& err) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (requested <= cores) return requested;
  err << "esvgd: warning: --threads " << requested << " is more than the " << cores << " cores here; using " << cores
      << "\n";
  return cores;
}

/// The folder's path as an absolute one without a trailing separator ("o/ts/" is "o/ts").
fs::path output_path(const std::string& text) {
  fs::path p = fs::absolute(text).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  if (!p.has_filename() || p == p.root_path())
    throw Error(ErrorKind::kConfig, "--out " + text, "must name a folder below the file system's root");
  return p;
}

/// --out as given, or the default results/<experiment>.
std::string out_or_default(const Args& a) { return a.out.empty() ? "results/" + a.experiment : a.out; }

/// A rank other than 0 of a multi-rank run: the same run in a scratch folder, silent; rank 0 writes
/// the outputs and the checkpoints (data-parallel ranks resume from rank 0's).
int run_as_worker(const experiment::Experiment& exp, const core::Config& config, const Args& a,
                  const dist::Communicator& comm, int threads) {
  const fs::path scratch =
      fs::temp_directory_path() / ("esvgd-rank" + std::to_string(comm.rank()) + "-" + std::to_string(getpid()));
  fs::create_directories(scratch);
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } remove{scratch};
  at::set_num_threads(threads);
  core::set_progress_enabled(false);
  core::InterruptHandlers interrupts;  // training stops at the epoch's end on every rank together
  experiment::RunContext ctx{scratch.string(), a.seed, a.init, nullptr, "", !a.resume.empty(), nullptr, &comm};
  try {
    experiment::run_experiment(exp, config, ctx);
  } catch (const core::Interrupted& e) {
    return 128 + e.signal();
  }
  return kExitOk;
}

/// --seeds: each seed's run is this command line without --seeds, --jobs, --out, --seed and --threads.
int run_over_seeds(const Args& a, std::ostream& out, std::ostream& err) {
  std::vector<uint64_t> seeds;
  try {
    seeds = parse_seeds(a.seeds);
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorKind::kConfig, "--seeds " + a.seeds, e.what());
  }
  if (!a.resume.empty())
    throw Error(ErrorKind::kConfig, "--resume with --seeds", "resume a seed's folder on its own (--resume DIR/seed-S)");
  static const std::set<std::string> dropped{"--seeds", "--jobs", "--out", "--seed", "--threads"};
  std::vector<std::string> run_args;
  for (size_t i = 0; i < a.raw.size(); ++i)
    if (dropped.count(a.raw[i])) ++i;
    else run_args.push_back(a.raw[i]);
  return run_seeds(run_args, seeds, a.jobs, output_path(out_or_default(a)), out, err);
}

/// The experiments that use several ranks in the given way, comma-separated.
std::string experiments_with(experiment::Parallelism kind) {
  std::string names;
  for (const auto& e : experiment::experiments())
    if (e->parallelism() == kind) names += (names.empty() ? "" : ", ") + e->name();
  return names;
}

/// The ranks of esvgd launch, srun or mpirun (dist/launch_env.h); one process without them.
dist::Communicator join_ranks(const experiment::Experiment& exp, const Args& a) {
  const auto env = dist::launch_env();
  if (env.world_size == 1) return dist::Communicator();
  if (exp.parallelism() == experiment::Parallelism::kNone)
    throw Error(ErrorKind::kConfig, "esvgd run " + a.experiment + " on " + std::to_string(env.world_size) + " ranks",
                "this experiment runs in one process (particle-parallel: " +
                    experiments_with(experiment::Parallelism::kParticles) +
                    "; data-parallel: " + experiments_with(experiment::Parallelism::kData) + ")");
  return dist::Communicator(env, dist::CommunicatorOptions().timeout_seconds(a.dist_timeout));
}

/// The resolved config, with the ranks of a multi-rank run and, data-parallel, every rank's share
/// of the training batch (Config::merge skips this record when the file is read back).
nlohmann::json resolved_config(const core::Config& config, const experiment::Experiment& exp,
                               const dist::Communicator& comm) {
  nlohmann::json resolved = config.resolved();
  if (comm.size() == 1) return resolved;
  resolved["ranks"] = {{"count", comm.size()}};
  if (exp.parallelism() == experiment::Parallelism::kData && config.has("train.batch_size")) {
    auto& shares = resolved["ranks"]["batch_per_rank"] = nlohmann::json::array();
    for (int64_t r = 0; r < comm.size(); ++r)
      shares.push_back(dist::rows_of(config.get_int("train.batch_size"), r, comm.size()).count);
  }
  return resolved;
}

int run_experiment(const Args& a, std::ostream& out, std::ostream& err) {
  const auto& exp = experiment::find_experiment(a.experiment);
  const auto config = resolve_config(exp, a);  // every config error surfaces before any output exists
  check_init(exp, a.init);
  if (!a.seeds.empty()) return run_over_seeds(a, out, err);
  const dist::Communicator comm = join_ranks(exp, a);
  if (comm.rank() > 0) return run_as_worker(exp, config, a, comm, usable_threads(a.threads, err));
  if (!a.resume.empty() && !a.out.empty() && output_path(a.out) != output_path(a.resume))
    throw Error(ErrorKind::kConfig, "--resume " + a.resume, "resumes into its own folder; drop --out or give the same one");
  const std::string shown = !a.resume.empty() ? a.resume : out_or_default(a);
  const fs::path out_dir = output_path(shown);
  if (!a.resume.empty() && !fs::is_directory(out_dir / "checkpoints"))
    throw Error(ErrorKind::kIo, (out_dir / "checkpoints").string(),
                "no checkpoints to resume from (was this folder written by a training run?)");
  const int threads = usable_threads(a.threads, err);
  RunFolder folder(out_dir, !a.resume.empty());
  if (folder.set_aside_checkpoints() && !a.quiet)
    err << "esvgd: note: starting afresh: the old checkpoints in " << folder.checkpoints().string()
        << " are replaced if this run succeeds (use --resume to continue them)\n";
  core::InterruptHandlers interrupts;
  try {
    at::set_num_threads(threads);
    core::set_progress_enabled(!a.quiet);
    const auto& staging = folder.staging();
    experiment::RunContext ctx{staging.string(), a.seed, a.init, a.quiet ? nullptr : &err, folder.checkpoints().string(),
                               !a.resume.empty(), &err, &comm};
    core::write_text_atomic((staging / "config.resolved.json").string(),
                            resolved_config(config, exp, comm).dump(2) + "\n");
    const auto t0 = std::chrono::steady_clock::now();
    nlohmann::json metrics = experiment::run_experiment(exp, config, ctx);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json doc{{"experiment", a.experiment}, {"preset", a.preset}, {"seed", a.seed},
                       {"threads", threads}, {"ranks", comm.size()}, {"seconds", seconds}, {"metrics", metrics}};
    core::write_text_atomic((staging / "metrics.json").string(), doc.dump(2) + "\n");
    if (const auto why = a.plot ? draw_figures(staging) : ""; !why.empty())
      err << "esvgd: warning: figures not drawn (" << why << "); their data is in " << shown
          << "/figures: draw them later with `esvgd plot " << shown << "`\n";
    folder.publish();
    out << "esvgd: " << a.experiment << " (" << a.preset << " preset) finished in " << seconds << " s\n";
    out << "  outputs: " << shown << "/ (metrics.json, summary.md, *.png, *.npy, config.resolved.json"
        << (fs::exists(folder.checkpoints()) ? ", checkpoints/" : "") << ")\n";
    return kExitOk;
  } catch (const core::Interrupted& e) {
    folder.keep_checkpoints();
    err << "esvgd: " << e.what() << "\n";
    return 128 + e.signal();
  }
}

int plot_run(const std::string& dir, std::ostream& out, std::ostream& err) {
  if (!fs::is_directory(fs::path(dir) / "figures"))
    throw Error(ErrorKind::kIo, dir, "no figures/ folder (not a run folder, or a run of an older esvgd)");
  if (const auto why = draw_figures(dir); !why.empty()) {
    err << "esvgd: figures not drawn: " << why << "\n";
    return kExitRuntime;
  }
  out << "esvgd: figures of " << dir << " drawn (PNG and PDF)\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Args args;
  try {
    args = parse(argc, argv);
  } catch (const UsageError& e) {
    err << "esvgd: " << core::printable(e.what()) << "\n" << kUsage;
    return kExitUsage;
  }
  try {
    if (args.command == "list") {
      for (const auto& e : experiment::experiments()) out << e->name() << "\t" << e->summary() << "\n";
      out << "\nsamplers (combinations \"...@NAME\", samplers = [...]):\n";
      for (const auto& s : experiment::samplers()) out << s.name << "\t" << s.doc << "\n";
      out << "\nenergy symmetries (model.symmetry):\n";
      for (const auto& [name, doc] : model::symmetry_docs()) out << name << "\t" << doc << "\n";
      out << "\nenergy heads (model.head):\n";
      for (const auto& [name, doc] : model::head_docs()) out << name << "\t" << doc << "\n";
      return kExitOk;
    }
    if (args.command == "config") {
      const auto& exp = experiment::find_experiment(args.experiment);
      const auto config = resolve_config(exp, args);
      out << (args.json ? config.resolved().dump(2) + "\n" : config.describe());
      return kExitOk;
    }
    if (args.command == "run") return run_experiment(args, out, err);
    if (args.command == "plot") return plot_run(args.out, out, err);
    if (args.command == "launch") return launch(args.launched, args.launch, err);
    out << kUsage;
    return kExitOk;
  } catch (const Error& e) {
    err << "esvgd: " << to_string(e.kind()) << ": " << e.what() << "\n";
    return e.kind() == ErrorKind::kConfig ? kExitUsage : kExitRuntime;
  } catch (const c10::Error& e) {  // a LibTorch failure the library did not foresee: no stack trace
    err << "esvgd: error: " << first_line(e.what_without_backtrace()) << "\n";
    return kExitRuntime;
  } catch (const std::exception& e) {
    err << "esvgd: error: " << first_line(e.what()) << "\n";
    return kExitRuntime;
  }
}

}  // namespace esvgd::cli
