#pragma once
// argv and envp for execve from strings (built before fork: the child may only make
// async-signal-safe calls).
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

}  // namespace esvgd::cli
