#include "esvgd/dist/communicator.h"

#include <chrono>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/dist/rank_exchange.h"

namespace esvgd::dist {

struct Communicator::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
};

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::chrono::milliseconds as_duration(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(seconds * 1000)));
}

bool is_loopback(const std::string& addr) { return addr == "localhost" || addr.rfind("127.", 0) == 0; }

/// Gloo's network device: the loopback for a one-node job on 127.0.0.1, an interface named by
/// GLOO_SOCKET_IFNAME (as in PyTorch), else the interface of this host's name.
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (is_loopback(master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

Communicator::Communicator(const LaunchEnv& env, const CommunicatorOptions& options)
    : rank_(env.rank), size_(env.world_size), timeout_seconds_(options.timeout_seconds()) {
  if (!(timeout_seconds_ > 0) || !std::isfinite(timeout_seconds_))
    throw Error(ErrorKind::kInvalidArgument, "CommunicatorOptions::timeout_seconds", "must be a finite number > 0");
  if (size_ == 1) return;
  const std::string where = "rank " + std::to_string(rank_) + " of " + std::to_string(size_);
  const std::string master = env.master_addr + ":" + std::to_string(env.master_port);
  group_ = std::make_shared<Group>();
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(env.master_port);
    so.isServer = rank_ == 0;
    so.numWorkers = size_;
    so.waitWorkers = true;
    so.timeout = as_duration(timeout_seconds_);
    group_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    auto o = c10d::ProcessGroupGloo::Options::create(as_duration(timeout_seconds_));
    o->devices.push_back(gloo_device(env.master_addr));
    group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, rank_, size_, o);
  } catch (const std::exception& e) {
    std::ostringstream what;
    what << "the rendezvous at " << master << " failed within " << timeout_seconds_ << " s (" << size_
         << " ranks expected; is every rank started, can it reach rank 0, is the port free?): " << first_line(e.what());
    throw Error(ErrorKind::kIo, where, what.str());
  }
}

namespace {

/// Runs one collective and waits for it; a failure names the rank, the collective and the timeout.
template <typename Start>
void collective(int64_t rank, int64_t size, double timeout, const char* name, Start&& start) {
  try {
    start()->wait();
  } catch (const std::exception& e) {
    std::ostringstream what;
    what << name << " failed (another rank ended, or nothing arrived within " << timeout
         << " s): " << first_line(e.what());
    throw Error(ErrorKind::kIo, "rank " + std::to_string(rank) + " of " + std::to_string(size), what.str());
  }
}

}  // namespace

torch::Tensor Communicator::all_gather_rows(const torch::Tensor& own) const {
  if (size_ == 1) return own;
  const auto counts = all_gather_equal(torch::tensor({own.size(0)}, torch::kLong));  // the row counts first
  return gather_blocks(*this, own, std::vector<int64_t>(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + size_));
}

torch::Tensor Communicator::all_gather_equal(const torch::Tensor& own) const {
  if (size_ == 1) return own;
  std::vector<at::Tensor> x{own.to(torch::kCPU).contiguous()};
  std::vector<std::vector<at::Tensor>> blocks(1);
  for (int64_t r = 0; r < size_; ++r) blocks[0].push_back(torch::empty_like(x[0]));
  collective(rank_, size_, timeout_seconds_, "all_gather", [&] { return group_->gloo->allgather(blocks, x); });
  return torch::cat(blocks[0]).to(own.device());
}

torch::Tensor Communicator::all_reduce_sum(const torch::Tensor& values) const {
  if (size_ == 1) return values;
  std::vector<at::Tensor> t{values.to(torch::kCPU).contiguous().clone()};
  collective(rank_, size_, timeout_seconds_, "all_reduce", [&] { return group_->gloo->allreduce(t); });
  return t[0].to(values.device());
}

torch::Tensor Communicator::broadcast(const torch::Tensor& values, int64_t root) const {
  if (size_ == 1) return values;
  std::vector<at::Tensor> t{values.to(torch::kCPU).contiguous().clone()};
  c10d::BroadcastOptions o;
  o.rootRank = root;
  collective(rank_, size_, timeout_seconds_, "broadcast", [&] { return group_->gloo->broadcast(t, o); });
  return t[0].to(values.device());
}

void Communicator::barrier() const {
  if (size_ == 1) return;
  collective(rank_, size_, timeout_seconds_, "barrier", [&] { return group_->gloo->barrier(); });
}

}  // namespace esvgd::dist
