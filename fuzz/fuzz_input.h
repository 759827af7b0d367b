#pragma once
// What every harness shares: the readers take paths, so each input is written to one file per
// process, and the outcome is checked against the library's promise for bad input (issue 13).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <typeinfo>

#include <ATen/Parallel.h>

#include "esvgd/core/error.h"

namespace esvgd::fuzz {

/// The file a harness hands to a reader. $TMPDIR when set, else /dev/shm: a file in memory keeps
/// the per-input cost at a few microseconds. Removed when the fuzzer exits normally.
class InputFile {
 public:
  explicit InputFile(const std::string& target) {
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = tmp && *tmp ? tmp : ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    path_ = dir + "/esvgd-fuzz-" + target + "-" + std::to_string(::getpid());
  }
  ~InputFile() { std::remove(path_.c_str()); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// Replaces the file's content with the bytes and returns its path.
  const std::string& write(const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    const bool ok = f != nullptr && std::fwrite(data, 1, size, f) == size;
    if (f == nullptr || std::fclose(f) != 0 || !ok) {
      std::perror(path_.c_str());  // the harness's own failure, not a finding: stop loudly
      std::abort();
    }
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A broken promise: print why and abort, so that libFuzzer saves the input as a crash.
[[noreturn]] inline void finding(const char* what, const char* detail) {
  std::fprintf(stderr, "\n==esvgd-fuzz== %s: %s\n", what, detail);
  std::abort();
}

/// Runs a reader on one input. Bad input must end in esvgd::Error with a one-line message;
/// any other exception escaping (c10::Error, nlohmann's, std::out_of_range, std::bad_alloc) or a
/// message with a line break is a finding.
template <typename Read>
void expect_clean_rejection(Read&& read) {
  try {
    read();
  } catch (const esvgd::Error& e) {
    if (std::strchr(e.what(), '\n') != nullptr) finding("esvgd::Error message spans lines", e.what());
  } catch (const std::exception& e) {
    finding(typeid(e).name(), e.what());
  } catch (...) {
    finding("non-standard exception", "?");
  }
}

}  // namespace esvgd::fuzz

// One intra-op thread: the inputs are tiny, and no OpenMP pool has to start (or be leak-checked).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  at::set_num_threads(1);
  return 0;
}
