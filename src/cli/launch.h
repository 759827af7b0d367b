#pragma once
/// `esvgd launch --nproc K [--master-port P] [--grace S] -- COMMAND...`: K processes on this machine
/// with the variables torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR =
/// 127.0.0.1, MASTER_PORT: a free port unless given). COMMAND is esvgd's own arguments (`run ...`)
/// or a program. SIGINT, SIGTERM and SIGHUP are passed on to every rank; when a rank fails, the others
/// get SIGTERM, then SIGKILL after the grace period, and the launcher prints one line naming the rank
/// and exits with its status (128 + signal for a rank killed by one).
#include <ostream>
#include <string>
#include <vector>

namespace esvgd::cli {

struct LaunchOptions {
  int nproc = 1;
  int master_port = 0;  ///< 0: a free port
  double grace_seconds = 5;
};

int launch(const std::vector<std::string>& command, const LaunchOptions& options, std::ostream& err);

}  // namespace esvgd::cli
