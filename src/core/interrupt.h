#pragma once
/// Stopping a run cleanly on SIGINT (Ctrl-C), SIGTERM or SIGHUP. While an InterruptHandlers
/// object lives, the first signal prints one line and sets a flag that long loops poll at their
/// next safe point (training: the end of the epoch, after a checkpoint; other loops: their next
/// progress update); a second signal ends the process at once, as without the handlers.
#include <stdexcept>
#include <string>

namespace esvgd::core {

/// Thrown at a safe point after a signal; the command line turns it into exit status 128 + signal.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, const std::string& where);
  int signal() const { return signal_; }

 private:
  int signal_;
};

class InterruptHandlers {
 public:
  InterruptHandlers();  ///< installs the handlers and clears the flag
  ~InterruptHandlers();  ///< restores the previous handlers and clears the flag
  InterruptHandlers(const InterruptHandlers&) = delete;
  InterruptHandlers& operator=(const InterruptHandlers&) = delete;
};

/// The signal received while the handlers are installed, or 0.
int interrupt_signal();

/// Throws Interrupted when a signal has arrived; `where` names the safe point ("after epoch 3").
void throw_if_interrupted(const std::string& where);

}  // namespace esvgd::core
