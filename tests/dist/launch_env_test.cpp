// Where a process stands in a job, read from each launcher's variables; the particle blocks; the
// single-process communicator. The collectives between processes are tested by dist_ranks.cpp.
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/dist/communicator.h"
#include "esvgd/dist/launch_env.h"
#include "esvgd/dist/rank_exchange.h"
#include "test_support.h"

using namespace esvgd;

namespace {

dist::LaunchEnv read(const std::map<std::string, std::string>& vars) {
  return dist::launch_env([&](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

}  // namespace

TEST(LaunchEnv, NoVariablesIsOneProcess) {
  const auto e = read({});
  EXPECT_EQ(e.launcher, "none");
  EXPECT_EQ(e.world_size, 1);
  EXPECT_EQ(e.rank, 0);
}

TEST(LaunchEnv, TorchrunVariables) {
  const auto e = read({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"},
                       {"MASTER_PORT", "1234"}});
  EXPECT_EQ(e.launcher, "torchrun");
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.world_size, 8);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.master_addr, "node7");
  EXPECT_EQ(e.master_port, 1234);
}

TEST(LaunchEnv, SlurmVariablesWithTheLaunchNodeAsMaster) {
  const auto e = read({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "6"}, {"SLURM_LOCALID", "2"},
                       {"SLURM_LAUNCH_NODE_IPADDR", "10.0.0.4"}});
  EXPECT_EQ(e.launcher, "slurm");
  EXPECT_EQ(e.rank, 5);
  EXPECT_EQ(e.world_size, 6);
  EXPECT_EQ(e.local_rank, 2);
  EXPECT_EQ(e.master_addr, "10.0.0.4");
  EXPECT_EQ(e.master_port, 29500);
  EXPECT_EQ(read({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_LAUNCH_NODE_IPADDR", "10.0.0.4"},
                  {"MASTER_ADDR", "head"}}).master_addr, "head");
}

TEST(LaunchEnv, OpenMpiVariables) {
  const auto e = read({{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "1"},
                       {"OMPI_COMM_WORLD_LOCAL_SIZE", "4"}});
  EXPECT_EQ(e.launcher, "mpirun");
  EXPECT_EQ(e.rank, 1);
  EXPECT_EQ(e.world_size, 4);
  EXPECT_EQ(e.master_addr, "127.0.0.1");  // every rank on this node
  test::expect_error([] { read({{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "4"},
                                {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}}); },
                     ErrorKind::kConfig, {"MASTER_ADDR", "several nodes"});
}

TEST(LaunchEnv, BadValuesNameTheVariable) {
  test::expect_error([] { read({{"RANK", "two"}, {"WORLD_SIZE", "4"}}); }, ErrorKind::kConfig,
                     {"environment variable RANK", "'two'"});
  test::expect_error([] { read({{"RANK", "4"}, {"WORLD_SIZE", "4"}}); }, ErrorKind::kConfig,
                     {"environment variable RANK", "[0, 3]"});
  test::expect_error([] { read({{"WORLD_SIZE", "0"}}); }, ErrorKind::kConfig, {"environment variable WORLD_SIZE"});
  test::expect_error([] { read({{"MASTER_PORT", "70000"}}); }, ErrorKind::kConfig, {"MASTER_PORT", "65535"});
}

TEST(RowBlocks, CoverEveryRowOnceWithSizesWithinOne) {
  for (int64_t total : {2, 7, 100, 1001})
    for (int64_t size : {1, 2, 3, 7}) {
      if (total < size) continue;
      int64_t next = 0;
      for (int64_t r = 0; r < size; ++r) {
        const auto b = dist::rows_of(total, r, size);
        EXPECT_EQ(b.first, next);
        EXPECT_GE(b.count, total / size);
        EXPECT_LE(b.count, total / size + 1);
        next = b.first + b.count;
      }
      EXPECT_EQ(next, total);
    }
}

TEST(Communicator, OneProcessReturnsItsInputs) {
  const dist::Communicator one;
  EXPECT_EQ(one.rank(), 0);
  EXPECT_EQ(one.size(), 1);
  const auto x = torch::randn({5, 3}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(one.all_gather_rows(x), x));
  EXPECT_TRUE(torch::equal(one.all_reduce_sum(x), x));
  EXPECT_TRUE(torch::equal(one.broadcast(x), x));
  const dist::RankExchange all(one, 5);
  EXPECT_EQ(all.first_row(), 0);
  EXPECT_TRUE(torch::equal(all.own_rows(x), x));
  test::expect_error([] { dist::Communicator(dist::LaunchEnv(), dist::CommunicatorOptions().timeout_seconds(0)); },
                     ErrorKind::kInvalidArgument, {"CommunicatorOptions::timeout_seconds"});
}
