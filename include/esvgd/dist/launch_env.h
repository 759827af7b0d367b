#pragma once
/// Where this process stands in a multi-process job, read from the variables that launchers set:
/// torchrun and `esvgd launch` (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), Slurm's
/// srun (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID; the master is SLURM_LAUNCH_NODE_IPADDR unless
/// MASTER_ADDR is set) and Open MPI's mpirun (OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE,
/// OMPI_COMM_WORLD_LOCAL_RANK; MASTER_ADDR, else 127.0.0.1 when every rank is on this node). With
/// none of them set, a single process: rank 0 of 1.
#include <cstdint>
#include <functional>
#include <string>

namespace esvgd::dist {

struct LaunchEnv {
  int64_t rank = 0;
  int64_t world_size = 1;
  int64_t local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int64_t master_port = 29500;
  std::string launcher = "none";  ///< "none", "torchrun", "slurm" or "mpirun": which variables were read
};

/// Reads the variables through `lookup` (std::getenv by default; null when unset). Throws
/// esvgd::Error(kConfig) naming the variable when a value is not a number or out of range.
LaunchEnv launch_env(const std::function<const char*(const char*)>& lookup = nullptr);

}  // namespace esvgd::dist
