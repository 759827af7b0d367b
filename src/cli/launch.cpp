#include "cli/launch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "cli/exec_args.h"

extern char** environ;

namespace esvgd::cli {

namespace {

volatile sig_atomic_t g_signal = 0;
void remember(int signal) { g_signal = signal; }

/// A port that the kernel reports free on the loopback now (the ranks bind it a moment later).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  int port = 29500;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) close(fd);
  return port;
}

/// This environment without the launch variables, then rank's own.
std::vector<std::string> rank_environment(int rank, const LaunchOptions& o, int port) {
  static const std::set<std::string> ours{"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                                          "MASTER_PORT"};
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (!ours.count(std::string(*e, std::strcspn(*e, "=")))) env.emplace_back(*e);
  const std::string n = std::to_string(o.nproc), r = std::to_string(rank);
  for (const auto& v : {"RANK=" + r, "LOCAL_RANK=" + r, "WORLD_SIZE=" + n, "LOCAL_WORLD_SIZE=" + n,
                        std::string("MASTER_ADDR=127.0.0.1"), "MASTER_PORT=" + std::to_string(port)})
    env.push_back(v);
  return env;
}

/// esvgd's own commands run this binary again; anything else is a program looked up on PATH.
std::vector<std::string> program_and_arguments(const std::vector<std::string>& command) {
  static const std::set<std::string> own{"run", "config", "list", "plot"};
  std::vector<std::string> argv = command;
  if (own.count(command[0])) argv.insert(argv.begin(), esvgd_executable());
  return argv;
}

/// Whether execvp would find `program`: a path that is executable, or a name on $PATH.
bool runnable(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    if (access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

pid_t start_rank(int rank, std::vector<std::string> argv, std::vector<std::string> env) {
  auto args = c_strings(argv), envp = c_strings(env);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a launcher that dies takes its ranks with it
    if (getppid() != parent) _exit(127);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  return pid;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) {
    const int s = WTERMSIG(status);
    return "was killed by signal " + std::to_string(s) + " (" + strsignal(s) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

int exit_code(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

/// Collects the ranks that have ended; returns those that failed ({rank, wait status}).
std::vector<std::pair<int, int>> reap(std::map<pid_t, int>& alive) {
  std::vector<std::pair<int, int>> failed;
  int status = 0;
  for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
    const auto it = alive.find(pid);
    if (it == alive.end()) continue;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed.emplace_back(it->second, status);
    alive.erase(it);
  }
  return failed;
}

void signal_all(const std::map<pid_t, int>& alive, int signal) {
  for (const auto& [pid, rank] : alive) kill(pid, signal);
}

}  // namespace

int launch(const std::vector<std::string>& command, const LaunchOptions& o, std::ostream& err) {
  const int port = o.master_port > 0 ? o.master_port : free_port();
  struct sigaction sa {}, old[3];
  sa.sa_handler = remember;
  const int forwarded[3] = {SIGINT, SIGTERM, SIGHUP};
  for (int i = 0; i < 3; ++i) sigaction(forwarded[i], &sa, &old[i]);
  g_signal = 0;

  std::map<pid_t, int> alive;  // pid -> rank
  const auto argv = program_and_arguments(command);
  if (!runnable(argv[0])) {
    err << "esvgd launch: cannot run '" << argv[0] << "' (not found, or not executable)\n";
    return 127;
  }
  for (int r = 0; r < o.nproc; ++r) {
    const pid_t pid = start_rank(r, argv, rank_environment(r, o, port));
    if (pid > 0) alive[pid] = r;
  }
  int result = 0;
  bool ending = false;
  auto kill_at = std::chrono::steady_clock::time_point::max();
  int passed_on = 0;  // the signal passed on to the ranks (0: none)
  while (!alive.empty()) {
    auto failed = reap(alive);
    // A rank that stopped because of the signal passed on to it did not fail: the others, stopping at
    // their own safe point (a checkpoint, say), are left to finish.
    const auto stopped = [&](const std::pair<int, int>& f) { return passed_on && exit_code(f.second) == 128 + passed_on; };
    if (std::any_of(failed.begin(), failed.end(), stopped) && result == 0) result = 128 + passed_on;
    failed.erase(std::remove_if(failed.begin(), failed.end(), stopped), failed.end());
    if (!failed.empty() && !ending) {
      // The cause before its consequences: a rank killed by a signal, else the first that failed.
      auto cause = failed.front();
      for (const auto& f : failed)
        if (WIFSIGNALED(f.second)) {
          cause = f;
          break;
        }
      // One write: the other ranks print their own errors to the same terminal at this moment, and a
      // line written piecemeal came out with theirs inside it.
      err << "esvgd launch: rank " + std::to_string(cause.first) + " " + describe(cause.second) +
                 (alive.empty() ? "" : "; ending the other ranks") + "\n";
      result = exit_code(cause.second);
      ending = true;
      signal_all(alive, SIGTERM);
      kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(o.grace_seconds * 1000));
    }
    if (const int s = g_signal) {
      g_signal = 0;
      passed_on = s;
      signal_all(alive, s);  // the ranks stop at their next safe point (a second signal ends them)
    }
    if (std::chrono::steady_clock::now() > kill_at) {
      signal_all(alive, SIGKILL);
      kill_at = std::chrono::steady_clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (int i = 0; i < 3; ++i) sigaction(forwarded[i], &old[i], nullptr);
  return result;
}

}  // namespace esvgd::cli
