#pragma once
/// A torch.distributed (c10d) process group for the collectives of particle-parallel SVGD and
/// data-parallel training: rendezvous through a TCPStore at the master's address and port (rank 0
/// serves it), Gloo for CPU tensors. A default-made Communicator is the single process (rank 0 of
/// 1), whose collectives return their input. Every failure (a rank that ended, a rendezvous or a
/// collective that passed the timeout) is esvgd::Error(kIo) naming this rank and what failed.
#include <memory>

#include "esvgd/core/collectives.h"

#include "esvgd/core/arg.h"
#include "esvgd/dist/launch_env.h"

namespace esvgd::dist {

struct CommunicatorOptions {
  ESVGD_ARG(double, timeout_seconds) = 300;  ///< the longest wait for the rendezvous and for each collective
};

class Communicator : public core::Collectives {
 public:
  /// The single process.
  Communicator() = default;
  /// Joins the job that `env` describes (the single process when env.world_size == 1).
  explicit Communicator(const LaunchEnv& env, const CommunicatorOptions& options = CommunicatorOptions());

  int64_t rank() const override { return rank_; }
  int64_t size() const override { return size_; }

  torch::Tensor all_gather_rows(const torch::Tensor& own) const override;
  torch::Tensor all_gather_equal(const torch::Tensor& own) const override;
  torch::Tensor all_reduce_sum(const torch::Tensor& values) const override;
  torch::Tensor broadcast(const torch::Tensor& values, int64_t root = 0) const override;
  void barrier() const;

 private:
  struct Group;  // the c10d process group (kept out of this header)
  std::shared_ptr<Group> group_;
  int64_t rank_ = 0;
  int64_t size_ = 1;
  double timeout_seconds_ = 0;
};

}  // namespace esvgd::dist
