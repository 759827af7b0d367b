#include "cli/figures.h"

#include <array>
#include <cstdio>
#include <cstdlib>

namespace esvgd::cli {

namespace {

/// A word for /bin/sh: single-quoted, with ' written as '\''.
std::string shell_word(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// The command's output (stdout and stderr) and exit status.
std::pair<std::string, int> run_command(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {"cannot start " + command, -1};
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return "";
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

std::string draw_figures(const std::filesystem::path& run_dir) {
  if (!std::filesystem::is_directory(run_dir / "figures")) return "";
  const char* python = std::getenv("ESVGD_PYTHON");
  const char* path = std::getenv("PYTHONPATH");
  std::string pythonpath = ESVGD_PYTHON_BUILD_DIR;
  if (path && *path) pythonpath += std::string(":") + path;
  const auto [output, status] =
      run_command("PYTHONPATH=" + shell_word(pythonpath) + " " + shell_word(python && *python ? python : "/usr/bin/python3") +
                  " -m esvgd.plot " + shell_word(run_dir.string()));
  if (status == 0) return "";
  return status == 127 ? "no Python interpreter (set ESVGD_PYTHON)" : last_line(output);
}

}  // namespace esvgd::cli
