#include "esvgd/train/replay_buffer.h"

#include <algorithm>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::train {

ReplayBuffer::ReplayBuffer(int64_t capacity, double fresh) : capacity_(capacity), fresh_(fresh) {
  if (capacity_ < 1)
    throw Error(ErrorKind::kInvalidArgument, "CdOptions::replay_size",
                "must be >= 1 (0 turns the buffer off)");
  if (!(fresh_ >= 0 && fresh_ <= 1))
    throw Error(ErrorKind::kInvalidArgument, "CdOptions::replay_fresh",
                "must lie in [0, 1]");
}

ReplayBuffer::Draw ReplayBuffer::draw(const torch::Tensor& fresh_rows, at::Generator& gen) const {
  const int64_t B = fresh_rows.size(0);
  const auto u = torch::rand({B}, gen, torch::kFloat64);
  const int64_t n = rows_.defined() ? rows_.size(0) : 0;
  const auto pick = torch::randint(std::max<int64_t>(n, 1), {B}, gen, torch::kLong);
  const auto take_fresh = n == 0 ? torch::ones({B}, torch::kBool) : u < fresh_;
  Draw d{fresh_rows.clone(), take_fresh.sum().item<int64_t>()};
  if (n > 0) {
    const auto old = rows_.index_select(0, pick).to(fresh_rows.device(), fresh_rows.scalar_type());
    d.starts = torch::where(take_fresh.unsqueeze(1).to(fresh_rows.device()), fresh_rows, old);
  }
  return d;
}

void ReplayBuffer::push(const torch::Tensor& X) {
  const auto x = X.detach().to(torch::kCPU).contiguous();
  rows_ = rows_.defined() ? torch::cat({x, rows_}) : x.clone();
  if (rows_.size(0) > capacity_) rows_ = rows_.narrow(0, 0, capacity_).clone();
}

void ReplayBuffer::set_contents(const torch::Tensor& rows) {
  rows_ = rows.defined() && rows.numel() > 0 ? rows.to(torch::kCPU).contiguous() : torch::Tensor();
}

}  // namespace esvgd::train
