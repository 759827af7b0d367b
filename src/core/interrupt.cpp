#include "core/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <string>

namespace esvgd::core {

namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
volatile sig_atomic_t g_signal = 0;
struct sigaction g_previous[3];

void on_signal(int sig) {
  if (g_signal != 0) {  // the second one: stop now
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return;
  }
  g_signal = sig;
  static const char kLine[] = "esvgd: interrupted: stopping at the next safe point (send it again to stop at once)\n";
  const ssize_t written = ::write(STDERR_FILENO, kLine, sizeof kLine - 1);  // async-signal-safe, unlike streams
  (void)written;
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
  }
  return "signal " + std::to_string(sig);
}

}  // namespace

Interrupted::Interrupted(int signal, const std::string& where)
    : std::runtime_error("interrupted by " + signal_name(signal) + " " + where), signal_(signal) {}

InterruptHandlers::InterruptHandlers() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &action, &g_previous[i]);
}

InterruptHandlers::~InterruptHandlers() {
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &g_previous[i], nullptr);
  g_signal = 0;  // the signal belonged to the run that has ended (its Interrupted carries it)
}

int interrupt_signal() { return g_signal; }

void throw_if_interrupted(const std::string& where) {
  if (g_signal != 0) throw Interrupted(g_signal, where);
}

}  // namespace esvgd::core
