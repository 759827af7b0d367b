#include "cli/seeds.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cli/exec_args.h"
#include "cli/figures.h"
#include "cli/seed_summary.h"
#include "core/atomic_file.h"

extern char** environ;

namespace esvgd::cli {

namespace fs = std::filesystem;

std::vector<uint64_t> parse_seeds(const std::string& text) {
  std::vector<uint64_t> seeds;
  std::set<uint64_t> seen;
  std::string part;
  std::istringstream parts(text);
  auto number = [&](const std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18)
      throw std::invalid_argument("--seeds: '" + part + "' is not a seed or a range A-B");
    return std::stoull(s);
  };
  while (std::getline(parts, part, ',')) {
    const auto dash = part.find('-');
    const uint64_t first = number(part.substr(0, dash));
    const uint64_t last = dash == std::string::npos ? first : number(part.substr(dash + 1));
    if (last < first || last - first >= 10000)
      throw std::invalid_argument("--seeds: '" + part + "' is not a range A-B with A <= B (at most 10000 seeds)");
    for (uint64_t s = first; s <= last; ++s)
      if (seen.insert(s).second) seeds.push_back(s);
  }
  if (seeds.empty()) throw std::invalid_argument("--seeds needs seeds, e.g. 1-5 or 1,3,8");
  return seeds;
}

namespace {

/// Starts `esvgd run ... --seed s --out DIR/seed-s --threads 1` with its output in DIR/seed-s.log.
pid_t start_seed(const std::vector<std::string>& run_args, uint64_t seed, const fs::path& out) {
  std::vector<std::string> argv{esvgd_executable()};
  argv.insert(argv.end(), run_args.begin(), run_args.end());
  for (const auto& a : {std::string("--seed"), std::to_string(seed), std::string("--out"),
                        (out / ("seed-" + std::to_string(seed))).string(), std::string("--threads"), std::string("1")})
    argv.push_back(a);
  const std::string log = (out / ("seed-" + std::to_string(seed) + ".log")).string();
  auto args = c_strings(argv);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the seeds stop with the command that started them
    if (getppid() != parent) _exit(127);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) _exit(126);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execve(args[0], args.data(), environ);
    _exit(127);
  }
  return pid;
}

int status_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

/// Every seed's metrics.json, in seed order.
std::vector<std::pair<uint64_t, nlohmann::json>> read_metrics(const std::vector<uint64_t>& seeds, const fs::path& out) {
  std::vector<std::pair<uint64_t, nlohmann::json>> runs;
  for (const uint64_t s : seeds) {
    std::ifstream in(out / ("seed-" + std::to_string(s)) / "metrics.json");
    runs.emplace_back(s, nlohmann::json::parse(in));
  }
  return runs;
}

}  // namespace

int run_seeds(const std::vector<std::string>& run_args, const std::vector<uint64_t>& seeds, int jobs,
              const fs::path& out, std::ostream& log, std::ostream& err) {
  fs::create_directories(out);
  std::map<pid_t, uint64_t> running;
  size_t next = 0;
  int result = 0;
  while (next < seeds.size() || !running.empty()) {
    while (next < seeds.size() && static_cast<int>(running.size()) < jobs) {
      running[start_seed(run_args, seeds[next], out)] = seeds[next];
      ++next;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const uint64_t seed = it->second;
    running.erase(it);
    if (status_code(status) != 0) {
      err << "esvgd: seed " << seed << " failed (" << (WIFEXITED(status) ? "status " : "signal ")
          << (WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status)) << "); its log: "
          << (out / ("seed-" + std::to_string(seed) + ".log")).string() << "\n";
      if (result == 0) result = status_code(status);
    } else {
      log << "esvgd: seed " << seed << " done (" << (seeds.size() - next + running.size()) << " to go)" << std::endl;
    }
  }
  if (result != 0) return result;
  const auto summary = summarize_seeds(read_metrics(seeds, out));
  core::write_text_atomic((out / "metrics.json").string(), summary.dump(2) + "\n");
  core::write_text_atomic((out / "summary.md").string(), seed_summary_markdown(summary));
  log << "esvgd: " << seeds.size() << " seeds: " << (out / "summary.md").string() << ", "
      << (out / "metrics.json").string() << "\n";
  // The figure of every seed's values (python/esvgd/plot/seeds.py), drawn unless --no-plot.
  fs::create_directories(out / "figures");
  auto figure = summary;
  figure["kind"] = "seeds";
  core::write_text_atomic((out / "figures" / "seeds.json").string(), figure.dump() + "\n");
  if (std::find(run_args.begin(), run_args.end(), "--no-plot") == run_args.end()) {
    if (const auto why = draw_figures(out); !why.empty())
      err << "esvgd: warning: the seeds' figure was not drawn (" << why << "); `esvgd plot " << out.string()
          << "` draws it later\n";
    else
      log << "esvgd: the seeds' figure: " << (out / "seeds.png").string() << "\n";
  }
  return 0;
}

}  // namespace esvgd::cli
