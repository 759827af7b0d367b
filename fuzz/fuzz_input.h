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

/// The file a harness hands to a reader: created in $TMPDIR (else /dev/shm, where a write costs a
/// few microseconds) and unlinked at once, then named by its descriptor (/proc/self/fd/N), so that
/// nothing is left behind even when the process dies on a finding.
class InputFile {
 public:
  explicit InputFile(const std::string& target) {
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = tmp && *tmp ? tmp : ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string name = dir + "/esvgd-fuzz-" + target + "-XXXXXX";
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0) fail(name);
    ::unlink(name.c_str());
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~InputFile() { ::close(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// Replaces the file's content with the bytes and returns its path.
  const std::string& write(const uint8_t* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, data, size, 0) != static_cast<ssize_t>(size)) fail(path_);
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] static void fail(const std::string& what) {
    std::perror(what.c_str());  // the harness's own failure, not a finding: stop loudly
    std::abort();
  }
  int fd_ = -1;
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
