#pragma once
// What execve needs, built before fork (the child may only make async-signal-safe calls): argv and
// envp from strings, and this program's path for the runs it starts itself.
#include <cstdlib>
#include <string>
#include <vector>

namespace esvgd::cli {

/// Pointers into `strings` (which must outlive them), then the terminating null.
inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (auto& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

/// The esvgd executable: $ESVGD_EXE when set (tests that run the command line inside another
/// program), else this process's own.
inline std::string esvgd_executable() {
  const char* exe = std::getenv("ESVGD_EXE");
  return exe && *exe ? exe : "/proc/self/exe";
}

}  // namespace esvgd::cli
