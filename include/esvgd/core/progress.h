#pragma once
/// Progress lines for long runs: "[label] step 1200/25000 (4.8%) 8100 steps/s, ETA 3s".
/// Prints at most once per `interval_s` seconds, starting after the first interval, so short runs
/// stay silent; one line each (no carriage returns) so that logs and CI output stay readable.
#include <chrono>
#include <ostream>
#include <string>

namespace esvgd::core {

class Progress {
 public:
  Progress(std::string label, int64_t total, std::ostream* out, double interval_s = 2.0);
  /// Reports that `done` of `total` units are complete; `extra` is appended to the line. Long loops
  /// stop here after SIGINT/SIGTERM/SIGHUP while the command line's handlers are installed: it throws
  /// core::Interrupted (src/core/interrupt.h).
  void update(int64_t done, const std::string& extra = "");
  /// As update, without stopping: for loops that stop at a safe point of their own (training stops
  /// at an epoch's end, after a checkpoint, so a signal arriving just after that check waits for the
  /// next epoch's end rather than ending the run here without one).
  void report(int64_t done, const std::string& extra = "");
  /// Prints a final line if anything was printed before (so a printed run always shows its end).
  void finish(const std::string& extra = "");
  double elapsed_s() const;

 private:
  std::string label_;
  int64_t total_;
  std::ostream* out_;
  double interval_s_;
  std::chrono::steady_clock::time_point start_, last_;
  bool printed_ = false;
  int64_t done_ = 0;
};

/// Process-wide switch for progress output (--quiet turns it off).
void set_progress_enabled(bool enabled);
bool progress_enabled();

}  // namespace esvgd::core
