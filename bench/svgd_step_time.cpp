// Times one SVGD step for bench/compare (protocol in bench/README.md) and prints one JSON line:
//   svgd_step_time --n N --d D --kernel rbf|c4 --h H --reps R --threads T [--floor]
// --floor also times this machine's lower bound for the step: the exponentials the step needs (N(N+1)/2
// for the symmetric RBF sum, 2N² + N for C4's four rotations sharing inverse pairs), alone, in the pair
// loop's vectorised exponential over an L1-resident buffer, on the same threads.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "kernel/kernel_sum.h"
#include "step_problem.h"

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

/// Exponentials evaluated by one step of the kernel on n particles (bench/README.md).
double exps_per_step(const std::string& kind, int64_t n) {
  const double N = static_cast<double>(n);
  // Small problems (n² ≤ 2^14) take every pair of the symmetric sums (one thread, kernel_sum.h).
  if (n * n <= (int64_t{1} << 14)) return kind == "rbf" ? N * N : 3 * N * N;
  return kind == "rbf" ? N * (N + 1) / 2 : 2 * N * N + N;
}

/// Milliseconds for `count` exponentials alone, spread over the intra-op threads.
double floor_ms(double count, int reps) {
  constexpr int64_t kBuffer = 2048;  // 16 KiB of input and output: stays in L1
  const int64_t chunks = std::max<int64_t>(1, static_cast<int64_t>(count / kBuffer));
  auto pass = [&] {
    at::parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
      std::vector<double> x(kBuffer), y(kBuffer);
      for (int64_t e = 0; e < kBuffer; ++e) x[e] = -0.01 * static_cast<double>(e % 1000);
      for (int64_t c = c0; c < c1; ++c) esvgd::kernel::exp_nonpositive(x.data(), y.data(), kBuffer);
    });
  };
  pass();
  const double t0 = now_s();
  for (int r = 0; r < reps; ++r) pass();
  return 1e3 * (now_s() - t0) / reps;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 2000, d = 2;
  int reps = 20, threads = 1;
  double h = 1.0;
  std::string kind = "rbf";
  bool with_floor = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "svgd_step_time: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--n") n = std::stoll(next());
    else if (a == "--d") d = std::stoll(next());
    else if (a == "--kernel") kind = next();
    else if (a == "--h") h = std::stod(next());
    else if (a == "--reps") reps = std::stoi(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--floor") with_floor = true;
    else {
      std::cerr << "svgd_step_time: unknown option " << a << "\n";
      return 2;
    }
  }
  if (n < 1 || d < 1 || reps < 1 || threads < 1 || !(h > 0) || (kind != "rbf" && kind != "c4") || (kind == "c4" && d != 2)) {
    std::cerr << "svgd_step_time: need n, d, reps, threads >= 1, h > 0, kernel rbf|c4 (c4 needs d = 2)\n";
    return 2;
  }
  at::set_num_threads(threads);
  torch::NoGradGuard no_grad;
  auto k = esvgd::bench::make_bench_kernel(kind, h);
  auto X = esvgd::bench::bench_particles(n, d);
  for (int w = 0; w < 3; ++w) esvgd::bench::svgd_step(*k, X);  // warm-up: threads started, scratch allocated
  const double t0 = now_s();
  for (int r = 0; r < reps; ++r) esvgd::bench::svgd_step(*k, X);
  const double ms = 1e3 * (now_s() - t0) / reps;
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  nlohmann::json out{{"n", n}, {"d", d}, {"kernel", kind}, {"ms_per_step", ms}, {"threads", threads},
                     {"max_rss_mb", usage.ru_maxrss / 1024.0}};
  if (with_floor) out["floor_ms"] = floor_ms(exps_per_step(kind, n), reps);
  std::cout << out.dump() << std::endl;
  return 0;
}
