#include "esvgd/core/progress.h"

#include <atomic>
#include <cstdio>

#include "core/interrupt.h"

namespace esvgd::core {

namespace {
std::atomic<bool> g_enabled{true};

std::string format_seconds(double s) {
  char buf[32];
  if (s < 90) std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 5400) std::snprintf(buf, sizeof buf, "%.1fmin", s / 60);
  else std::snprintf(buf, sizeof buf, "%.1fh", s / 3600);
  return buf;
}
}  // namespace

void set_progress_enabled(bool enabled) { g_enabled = enabled; }
bool progress_enabled() { return g_enabled; }

Progress::Progress(std::string label, int64_t total, std::ostream* out, double interval_s)
    : label_(std::move(label)), total_(total), out_(out), interval_s_(interval_s),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(int64_t done, const std::string& extra) {
  if (interrupt_signal() != 0)
    throw Interrupted(interrupt_signal(), "at " + std::to_string(done) + "/" + std::to_string(total_) + " of " + label_);
  report(done, extra);
}

void Progress::report(int64_t done, const std::string& extra) {
  done_ = done;
  if (!out_ || !g_enabled) return;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_).count() < interval_s_) return;
  last_ = now;
  printed_ = true;
  const double t = elapsed_s();
  const double rate = done / std::max(t, 1e-9);
  char buf[160];
  std::snprintf(buf, sizeof buf, "[%s] %lld/%lld (%.1f%%) %.0f/s, ETA %s", label_.c_str(),
                static_cast<long long>(done), static_cast<long long>(total_),
                total_ > 0 ? 100.0 * done / total_ : 0.0, rate,
                format_seconds(rate > 0 ? (total_ - done) / rate : 0).c_str());
  *out_ << buf << (extra.empty() ? "" : " ") << extra << std::endl;
}

void Progress::finish(const std::string& extra) {
  if (!out_ || !g_enabled || !printed_) return;
  *out_ << "[" << label_ << "] done: " << done_ << " in " << format_seconds(elapsed_s())
        << (extra.empty() ? "" : " ") << extra << std::endl;
}

}  // namespace esvgd::core
