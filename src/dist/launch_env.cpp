#include "esvgd/dist/launch_env.h"

#include <cstdlib>

#include "esvgd/core/error.h"

namespace esvgd::dist {

namespace {

class Variables {
 public:
  explicit Variables(const std::function<const char*(const char*)>& lookup)
      : lookup_(lookup ? lookup : [](const char* name) { return static_cast<const char*>(std::getenv(name)); }) {}

  bool has(const char* name) const { return lookup_(name) != nullptr; }
  std::string text(const char* name, const std::string& fallback) const {
    const char* v = lookup_(name);
    return v && *v ? v : fallback;
  }
  /// An integer in [low, high]; `fallback` when unset.
  int64_t number(const char* name, int64_t fallback, int64_t low, int64_t high) const {
    const char* v = lookup_(name);
    if (!v) return fallback;
    char* end = nullptr;
    const long long n = std::strtoll(v, &end, 10);
    if (!*v || *end || n < low || n > high)
      throw Error(ErrorKind::kConfig, std::string("environment variable ") + name,
                  "must be an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "], got '" + v + "'");
    return n;
  }

 private:
  std::function<const char*(const char*)> lookup_;
};

constexpr int64_t kMaxRanks = 1 << 20;

}  // namespace

LaunchEnv launch_env(const std::function<const char*(const char*)>& lookup) {
  const Variables env(lookup);
  LaunchEnv e;
  if (env.has("RANK") || env.has("WORLD_SIZE")) {
    e.launcher = "torchrun";
    e.world_size = env.number("WORLD_SIZE", 1, 1, kMaxRanks);
    e.rank = env.number("RANK", 0, 0, e.world_size - 1);
    e.local_rank = env.number("LOCAL_RANK", e.rank, 0, e.world_size - 1);
  } else if (env.has("SLURM_PROCID") && env.has("SLURM_NTASKS")) {
    e.launcher = "slurm";
    e.world_size = env.number("SLURM_NTASKS", 1, 1, kMaxRanks);
    e.rank = env.number("SLURM_PROCID", 0, 0, e.world_size - 1);
    e.local_rank = env.number("SLURM_LOCALID", 0, 0, e.world_size - 1);
    e.master_addr = env.text("SLURM_LAUNCH_NODE_IPADDR", e.master_addr);
  } else if (env.has("OMPI_COMM_WORLD_RANK")) {
    e.launcher = "mpirun";
    e.world_size = env.number("OMPI_COMM_WORLD_SIZE", 1, 1, kMaxRanks);
    e.rank = env.number("OMPI_COMM_WORLD_RANK", 0, 0, e.world_size - 1);
    e.local_rank = env.number("OMPI_COMM_WORLD_LOCAL_RANK", 0, 0, e.world_size - 1);
    const int64_t local = env.number("OMPI_COMM_WORLD_LOCAL_SIZE", e.world_size, 1, kMaxRanks);
    if (local != e.world_size && !env.has("MASTER_ADDR"))
      throw Error(ErrorKind::kConfig, "environment variable MASTER_ADDR",
                  "must name rank 0's host when mpirun starts ranks on several nodes (mpirun -x MASTER_ADDR=...)");
  }
  e.master_addr = env.text("MASTER_ADDR", e.master_addr);
  e.master_port = env.number("MASTER_PORT", e.master_port, 1, 65535);
  return e;
}

}  // namespace esvgd::dist
