#include "esvgd/cli/cli.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include "esvgd/core/atomic_file.h"
#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"
#include "esvgd/experiment/experiment.h"

namespace esvgd::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0, kExitRuntime = 1, kExitUsage = 2;

const char* kUsage =
    "usage: esvgd run <experiment> [--preset paper|quick|cpu] [--config FILE.json] [--set key=value]...\n"
    "                              [--out DIR] [--resume DIR] [--init FILE.npy] [--seed N] [--threads N] [--quiet]\n"
    "       esvgd config <experiment> [--preset P] [--config FILE.json] [--set key=value]... [--json]\n"
    "       esvgd list\n";

struct Args {
  std::string command, experiment, preset = "paper", config_file, out, init, resume;
  std::vector<std::string> sets;
  uint64_t seed = 42;
  int threads = 1;
  bool quiet = false;
  bool json = false;
};

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

Args parse(int argc, char** argv) {
  Args a;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) throw UsageError("missing command");
  a.command = args[0];
  size_t i = 1;
  if (a.command == "run" || a.command == "config") {
    if (args.size() < 2 || args[1].rfind("--", 0) == 0) throw UsageError("'" + a.command + "' needs an experiment name");
    a.experiment = args[1];
    i = 2;
  } else if (a.command != "list" && a.command != "--help" && a.command != "-h" && a.command != "help") {
    throw UsageError("unknown command '" + a.command + "'");
  }
  auto value = [&](const std::string& flag) -> std::string {
    if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
    return args[++i];
  };
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
    else if (f == "--json" && a.command == "config") a.json = true;
    else throw UsageError("unknown option '" + f + "'");
  }
  return a;
}

core::Config resolve_config(const experiment::Experiment& e, const Args& a) {
  auto config = experiment::make_config(e, a.preset);
  if (!a.config_file.empty()) config.merge_file(a.config_file);
  for (const auto& s : a.sets) config.set_from_string(s);
  return config;
}

/// Removes staging folders "<out>.tmp.<pid>" left by runs that were killed (their pid is gone).
void remove_stale_staging(const fs::path& out) {
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  const std::string prefix = out.filename().string() + ".tmp.";
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) return;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid = name.substr(prefix.size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill(static_cast<pid_t>(std::stoll(pid)), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
}

/// Moves every file of `staging` into `out` (created if needed), then removes `staging`.
void publish(const fs::path& staging, const fs::path& out) {
  fs::create_directories(out);
  for (const auto& entry : fs::directory_iterator(staging)) fs::rename(entry.path(), out / entry.path().filename());
  fs::remove(staging);
}

int run_experiment(const Args& a, std::ostream& out, std::ostream& err) {
  const auto& exp = experiment::find_experiment(a.experiment);
  const auto config = resolve_config(exp, a);  // every config error surfaces before any output exists
  if (!a.init.empty() && !fs::exists(a.init))
    throw Error(ErrorKind::kIo, a.init, "--init file does not exist");
  if (!a.resume.empty() && !a.out.empty() && fs::path(a.out).lexically_normal() != fs::path(a.resume).lexically_normal())
    throw Error(ErrorKind::kConfig, "--resume " + a.resume, "resumes into its own folder; drop --out or give the same one");
  const fs::path out_dir = !a.resume.empty() ? fs::path(a.resume)
                           : a.out.empty()   ? fs::path("results") / a.experiment
                                             : fs::path(a.out);
  // Training checkpoints live in the output folder itself (not the staging folder), so that a
  // killed run leaves them where --resume finds them.
  const fs::path checkpoints = out_dir / "checkpoints";
  if (!a.resume.empty() && !fs::is_directory(checkpoints))
    throw Error(ErrorKind::kIo, checkpoints.string(), "no checkpoints to resume from (was this folder written by a training run?)");
  if (a.resume.empty() && fs::exists(checkpoints)) {
    err << "esvgd: starting afresh: removing the old checkpoints in " << checkpoints.string()
        << " (use --resume to continue them)\n";
    fs::remove_all(checkpoints);
  }
  // Outputs are written to a sibling staging folder and moved into place only when the run
  // succeeds, so a failed or killed run leaves nothing half-written in the output folder.
  const fs::path staging = out_dir.string() + ".tmp." + std::to_string(::getpid());
  remove_stale_staging(out_dir);
  fs::remove_all(staging);
  fs::create_directories(staging);
  try {
    at::set_num_threads(a.threads);
    core::set_progress_enabled(!a.quiet);
    experiment::RunContext ctx{staging.string(), a.seed, a.init, a.quiet ? nullptr : &err, checkpoints.string(),
                               !a.resume.empty()};
    nlohmann::json resolved = config.resolved();
    core::write_text_atomic((staging / "config.resolved.json").string(), resolved.dump(2) + "\n");
    const auto t0 = std::chrono::steady_clock::now();
    nlohmann::json metrics = exp.run(config, ctx);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json doc{{"experiment", a.experiment}, {"preset", a.preset}, {"seed", a.seed},
                       {"threads", a.threads}, {"seconds", seconds}, {"metrics", metrics}};
    core::write_text_atomic((staging / "metrics.json").string(), doc.dump(2) + "\n");
    publish(staging, out_dir);
    out << "esvgd: " << a.experiment << " (" << a.preset << " preset) finished in " << seconds << " s\n";
    out << "  outputs: " << out_dir.string() << "/ (metrics.json, summary.md, *.png, *.npy, config.resolved.json"
        << (fs::exists(checkpoints) ? ", checkpoints/" : "") << ")\n";
    return kExitOk;
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
}

}  // namespace

int main(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Args args;
  try {
    args = parse(argc, argv);
  } catch (const UsageError& e) {
    err << "esvgd: " << e.what() << "\n" << kUsage;
    return kExitUsage;
  }
  try {
    if (args.command == "list") {
      for (const auto& e : experiment::experiments()) out << e->name() << "\t" << e->summary() << "\n";
      return kExitOk;
    }
    if (args.command == "config") {
      const auto& exp = experiment::find_experiment(args.experiment);
      const auto config = resolve_config(exp, args);
      out << (args.json ? config.resolved().dump(2) + "\n" : config.describe());
      return kExitOk;
    }
    if (args.command == "run") return run_experiment(args, out, err);
    out << kUsage;
    return kExitOk;
  } catch (const Error& e) {
    err << "esvgd: " << to_string(e.kind()) << ": " << e.what() << "\n";
    return e.kind() == ErrorKind::kConfig ? kExitUsage : kExitRuntime;
  } catch (const std::exception& e) {
    err << "esvgd: error: " << e.what() << "\n";
    return kExitRuntime;
  }
}

}  // namespace esvgd::cli
