// Times one SVGD step for bench/compare (protocol in bench/README.md) and prints one JSON line:
//   svgd_step_time --n N --d D --kernel rbf|c4 --h H --reps R --threads T [--floor]
// --floor also times this machine's lower bound for the pair loop: the N² squared distances and
// exponentials alone (no accumulation), in the same vectorised loop, on the same threads.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "kernel/kernel_sum.h"
#include "step_problem.h"

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

/// N² distance+exp evaluations with V = 1 column: the fused loop with the least possible accumulation.
double floor_ms(const torch::Tensor& X, double h, int reps) {
  auto ones = torch::ones({X.size(0), 1}, X.options());
  esvgd::kernel::rbf_kernel_matmul(X, X, ones, h);
  const double t0 = now_s();
  for (int r = 0; r < reps; ++r) esvgd::kernel::rbf_kernel_matmul(X, X, ones, h);
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
  esvgd::bench::svgd_step(*k, X);  // warm-up
  const double t0 = now_s();
  for (int r = 0; r < reps; ++r) esvgd::bench::svgd_step(*k, X);
  const double ms = 1e3 * (now_s() - t0) / reps;
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  nlohmann::json out{{"n", n}, {"d", d}, {"kernel", kind}, {"ms_per_step", ms}, {"threads", threads},
                     {"max_rss_mb", usage.ru_maxrss / 1024.0}};
  if (with_floor) out["floor_ms"] = floor_ms(X, h, reps);
  std::cout << out.dump() << std::endl;
  return 0;
}
