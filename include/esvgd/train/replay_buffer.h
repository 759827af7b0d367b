#pragma once
/// The replay buffer of short-run EBM training (Du & Mordatch 2019): each batch's chains start from
/// past negatives, except a fraction of fresh starts, and the negatives they reach go back in.
///
///   draw:  row b is fresh with probability `fresh` (always while the buffer is empty), otherwise a
///          uniformly chosen buffer row;
///   push:  the new negatives go in front, the oldest rows beyond the capacity drop out (FIFO).
///
/// Every draw consumes the same random numbers whatever the buffer holds, so that a run resumed from
/// a checkpoint (which stores the buffer) continues the same stream.
#include <cstdint>

#include <torch/types.h>

namespace esvgd::train {

class ReplayBuffer {
 public:
  /// Errors name chains.replay_size (capacity ≥ 1) and chains.replay_fresh (in [0, 1]).
  ReplayBuffer(int64_t capacity, double fresh);

  struct Draw {
    torch::Tensor starts;  ///< [B, D]
    int64_t fresh = 0;     ///< rows taken from fresh_rows
  };
  /// B = fresh_rows.size(0) starts, on fresh_rows's device and dtype.
  Draw draw(const torch::Tensor& fresh_rows, at::Generator& gen) const;
  /// Adds the rows of X [B, D] (stored on the CPU, detached).
  void push(const torch::Tensor& X);

  /// The rows held, newest first: [n ≤ capacity, D], or undefined while empty.
  const torch::Tensor& contents() const { return rows_; }
  /// Restores contents() (from a checkpoint); an empty tensor empties the buffer.
  void set_contents(const torch::Tensor& rows);
  int64_t capacity() const { return capacity_; }
  double fresh() const { return fresh_; }

 private:
  int64_t capacity_;
  double fresh_;
  torch::Tensor rows_;
};

}  // namespace esvgd::train
