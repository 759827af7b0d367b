#include "cli/figures.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cli/exec_args.h"

extern char** environ;

namespace esvgd::cli {

namespace {

/// The environment with PYTHONPATH set to `pythonpath` (built before fork: the child may only make
/// async-signal-safe calls, and this process runs threads).
std::vector<std::string> child_environment(const std::string& pythonpath) {
  std::vector<std::string> env{"PYTHONPATH=" + pythonpath};
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "PYTHONPATH=", 11) != 0) env.emplace_back(*e);
  return env;
}

/// Runs argv with the environment; returns its output (stdout and stderr) and exit status (127: it
/// could not start). The child dies with this process (PR_SET_PDEATHSIG), so that a killed run never
/// leaves a plotter writing into its staging folder.
std::pair<std::string, int> run_command(std::vector<std::string> argv, std::vector<std::string> env) {
  auto args = c_strings(argv), envp = c_strings(env);
  int fds[2];
  if (pipe(fds) != 0) return {"cannot create a pipe", -1};
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return {"cannot fork", -1};
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  std::string output;
  std::array<char, 4096> buffer;
  for (ssize_t n; (n = read(fds[0], buffer.data(), buffer.size())) != 0;)
    if (n > 0) output.append(buffer.data(), static_cast<size_t>(n));
    else if (errno != EINTR) break;
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

std::string last_line(const std::string& text) {
  const auto end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return "";
  const auto newline = text.rfind('\n', end);
  const auto start = newline == std::string::npos ? 0 : newline + 1;
  return text.substr(start, end - start + 1);
}

}  // namespace

std::string draw_figures(const std::filesystem::path& run_dir) {
  if (!std::filesystem::is_directory(run_dir / "figures")) return "";
  const char* python = std::getenv("ESVGD_PYTHON");
  const char* path = std::getenv("PYTHONPATH");
  std::string pythonpath = ESVGD_PYTHON_BUILD_DIR;
  if (path && *path) pythonpath += std::string(":") + path;
  const std::string interpreter = python && *python ? python : "/usr/bin/python3";
  const auto [output, status] =
      run_command({interpreter, "-m", "esvgd.plot", run_dir.string()}, child_environment(pythonpath));
  if (status == 0) return "";
  return status == 127 ? "cannot run " + interpreter + " (set ESVGD_PYTHON to a Python interpreter's path)"
                       : last_line(output);
}

}  // namespace esvgd::cli
