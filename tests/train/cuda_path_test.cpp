// The CUDA device path: energies and scores (the noise-conditional EGNN's too), Langevin and
// noisy-SVGD chains, the particle feature kernel, and one epoch of contrastive divergence on a GPU
// agree with the same computation on the CPU (the samplers draw their noise on the CPU, so both
// devices see the same random numbers). Where this LibTorch has no CUDA or the machine no GPU, every
// test is skipped with a message: run `make test` on a GPU machine to check the path.
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include "esvgd/group/particle_invariant.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/model/egnn_energy.h"
#include "esvgd/model/energy_model.h"
#include "esvgd/model/image_energy.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/train/cd_trainer.h"
#include "test_support.h"

using namespace esvgd;

namespace {

#define SKIP_WITHOUT_CUDA()                                                                              \
  if (!torch::cuda::is_available())                                                                      \
  GTEST_SKIP() << "no CUDA device (this LibTorch build has no CUDA, or the machine has no GPU): the CUDA " \
                  "path is checked by running make test on a GPU machine"

double rel_err(const torch::Tensor& a, const torch::Tensor& b) {
  const auto x = a.to(torch::kCPU, torch::kFloat64), y = b.to(torch::kCPU, torch::kFloat64);
  return ((x - y).norm() / y.norm().clamp_min(1e-30)).item<double>();
}

const torch::Device kCuda(torch::kCUDA);

/// Two networks with the same weights, the second moved to the GPU.
template <typename Net, typename Options>
std::pair<Net, Net> cpu_and_gpu(const Options& o) {
  torch::manual_seed(0);
  Net cpu(o);
  torch::manual_seed(0);
  Net gpu(o);
  gpu->to(kCuda);
  return {cpu, gpu};
}

model::EgnnOptions small_egnn() {
  return model::EgnnOptions().atomic_numbers({6, 6, 6, 6, 6, 8, 1, 1, 1, 1, 1, 1, 1, 1}).hidden(16).layers(2);
}

}  // namespace

TEST(CudaPath, EgnnEnergyAndScoreMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  auto [cpu, gpu] = cpu_and_gpu<model::EgnnEnergy>(small_egnn());
  auto gen = test::make_gen(1);
  const auto X = 2 * torch::randn({8, 42}, gen, torch::kFloat32);
  torch::NoGradGuard no_grad;
  EXPECT_LT(rel_err(gpu->energy(X.to(kCuda)), cpu->energy(X)), 1e-4);
  const auto s_gpu = gpu->frozen_score()(X.to(kCuda));
  EXPECT_TRUE(s_gpu.is_cuda());
  EXPECT_LT(rel_err(s_gpu, cpu->frozen_score()(X)), 1e-4);
}

TEST(CudaPath, NoiseConditionalEgnnMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  auto [cpu, gpu] = cpu_and_gpu<model::EgnnEnergy>(small_egnn().head(model::Head::kLinear).noise_conditional(true));
  auto gen = test::make_gen(1);
  const auto X = 2 * torch::randn({8, 42}, gen, torch::kFloat32);
  const auto sigma = torch::linspace(0.05, 2.0, 8, torch::kFloat32);
  torch::NoGradGuard no_grad;
  EXPECT_LT(rel_err(gpu->noise_energy(X.to(kCuda), sigma.to(kCuda)), cpu->noise_energy(X, sigma)), 1e-4);
  for (double level : {0.05, 0.5, 2.0}) {  // the GPU takes autograd through a frozen copy, the CPU the fused pass
    const auto s_gpu = gpu->frozen_noise_score(level)(X.to(kCuda));
    EXPECT_TRUE(s_gpu.is_cuda());
    EXPECT_LT(rel_err(s_gpu, cpu->frozen_noise_score(level)(X)), 1e-4) << "sigma " << level;
  }
}

TEST(CudaPath, ImageEnergyScoreMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  auto [cpu, gpu] = cpu_and_gpu<model::ImageEnergy>(model::ImageEnergyOptions().fields({2, 2, 2, 2, 2, 2, 2, 2}).head_hidden(8));
  auto gen = test::make_gen(2);
  const auto X = torch::rand({4, 784}, gen, torch::kFloat32);
  EXPECT_LT(rel_err(gpu->frozen_score(3)(X.to(kCuda)), cpu->frozen_score(3)(X)), 1e-4);
  torch::NoGradGuard no_grad;
  EXPECT_LT(rel_err(gpu->penultimate(X.to(kCuda)), cpu->penultimate(X)), 1e-4);
}

TEST(CudaPath, LangevinAndNoisySvgdChainsMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  const ScoreFn score = [](const torch::Tensor& X) { return -X; };  // N(0, I)
  auto gen0 = test::make_gen(3);
  const auto X0 = 3 * torch::randn({64, 3}, gen0, torch::kFloat32);
  auto lo = sampler::LangevinOptions().max_steps(50).step_size(0.05);
  auto gen_cpu = test::make_gen(4), gen_gpu = test::make_gen(4);
  const auto l_cpu = sampler::Langevin(score, lo).run(X0, {}, gen_cpu, nullptr);
  const auto l_gpu = sampler::Langevin(score, lo).run(X0.to(kCuda), {}, gen_gpu, nullptr);
  EXPECT_TRUE(l_gpu.particles.is_cuda());
  EXPECT_LT(rel_err(l_gpu.particles, l_cpu.particles), 1e-4);

  auto so = sampler::SvgdOptions()
                .max_steps(50)
                .optimizer(sampler::OptimizerOptions().step_size(0.05))
                .langevin(true)
                .langevin_noise(0.5)
                .median(true)
                .kernel_mass(true);
  auto s_cpu = sampler::Svgd(score, std::make_shared<kernel::RbfKernel>(1.0), so).run(X0, {}, gen_cpu, nullptr);
  auto s_gpu = sampler::Svgd(score, std::make_shared<kernel::RbfKernel>(1.0), so).run(X0.to(kCuda), {}, gen_gpu, nullptr);
  EXPECT_TRUE(s_gpu.particles.is_cuda());
  EXPECT_LT(rel_err(s_gpu.particles, s_cpu.particles), 1e-3);
  EXPECT_NEAR(s_gpu.bandwidth, s_cpu.bandwidth, 1e-3 * s_cpu.bandwidth);
}

TEST(CudaPath, ParticleFeatureKernelWithPreparedAnchorsMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  // The particle maps' loops run on the CPU; the kernel moves what they give to the rows' device.
  // 150 × 159 pairs: the tensor path on both devices.
  const kernel::InvariantFeatureKernel k(
      std::make_shared<kernel::ParticleMap>(group::ParticleInvariant(group::ParticleInvariant::Kind::kPairDistances, 4, 2)),
      1.5, kernel::RepulsionForm::kReference);
  auto gen = at::detail::createCPUGenerator(3);
  const auto X = torch::randn({150, 8}, gen, torch::kFloat64), A = torch::randn({9, 8}, gen, torch::kFloat64);
  const auto Y = torch::cat({X, A}), S = torch::randn({159, 8}, gen, torch::kFloat64);
  const auto cpu = k.phi_prepared(X, Y, S, 2.0, k.prepare_anchors(A));
  const auto gpu = k.phi_prepared(X.to(kCuda), Y.to(kCuda), S.to(kCuda), 2.0, k.prepare_anchors(A.to(kCuda)));
  EXPECT_TRUE(gpu.is_cuda());
  EXPECT_LT(rel_err(gpu, cpu), 1e-10);
}

TEST(CudaPath, OneEpochOfContrastiveDivergenceMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  auto run = [](torch::Device device) {
    torch::manual_seed(5);
    auto mo = model::EnergyModelOptions().hidden({16, 16});
    model::EnergyModel model(mo);
    model->to(device);
    auto gen = test::make_gen(6);
    data::TrainingData data{(torch::tensor({2.0, 2.0}) + 0.5 * torch::randn({32, 2}, gen)).to(device), {}, {}};
    auto o = train::CdOptions()
                 .epochs(1)
                 .batch_size(16)
                 .sampler(train::NegativeSampler::kLangevin)
                 .langevin(sampler::LangevinOptions().max_steps(10).step_size(0.05))
                 .replay_size(64)
                 .chain_init(train::ChainInit::kUniform)
                 .box_low(-4)
                 .box_high(4);
    train::CdTrainer trainer(model.ptr(), std::make_shared<kernel::RbfKernel>(1.0), {}, o, 7);
    trainer.fit(data);
    std::vector<torch::Tensor> params;
    for (const auto& p : model->parameters()) params.push_back(p.detach().cpu());
    return std::make_pair(params, trainer.history().back().cd);
  };
  const auto [cpu, cd_cpu] = run(torch::kCPU);
  const auto [gpu, cd_gpu] = run(kCuda);
  ASSERT_EQ(cpu.size(), gpu.size());
  for (size_t k = 0; k < cpu.size(); ++k) EXPECT_LT(rel_err(gpu[k], cpu[k]), 1e-3) << "parameter " << k;
  EXPECT_NEAR(cd_gpu, cd_cpu, 1e-3 * (1 + std::abs(cd_cpu)));
}
