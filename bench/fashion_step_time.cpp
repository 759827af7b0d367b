// Training throughput of the fashion-mnist loop: CdTrainer (JEM: cross-entropy + CD, persistent
// SVGD chains with the data batch as anchors, reset 0.1, step 0.08, T = 2) for one epoch over
// `batches` batches of 64 images, on the C4-steerable CNN (or the plain CNN). Prints one JSON line
// with images per second including SVGD, and the time of one frozen-score call alone.
//   fashion_step_time [--threads T] [--batches B] [--steps K] [--fields 4,4,8,8,8,8,16,16]
//                     [--equivariant 0|1] [--kernel rbf|c4]
#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "esvgd/group/image_rotation_group.h"
#include "esvgd/kernel/group_averaged.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/model/image_energy.h"
#include "esvgd/train/cd_trainer.h"

int main(int argc, char** argv) {
  using namespace esvgd;
  int threads = 1, batches = 4, steps = 10, equivariant = 1;
  std::string fields_text = "4,4,8,8,8,8,16,16", kernel_name = "rbf";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "fashion_step_time: " << a << " needs a value\n";
      return 2;
    }
    const std::string v = argv[++i];
    if (a == "--threads") threads = std::stoi(v);
    else if (a == "--batches") batches = std::stoi(v);
    else if (a == "--steps") steps = std::stoi(v);
    else if (a == "--equivariant") equivariant = std::stoi(v);
    else if (a == "--fields") fields_text = v;
    else if (a == "--kernel") kernel_name = v;
    else {
      std::cerr << "fashion_step_time: unknown option " << a << "\n";
      return 2;
    }
  }
  if (threads < 1 || batches < 1 || steps < 1 || (kernel_name != "rbf" && kernel_name != "c4")) {
    std::cerr << "fashion_step_time: threads, batches, steps must be >= 1 and --kernel rbf or c4\n";
    return 2;
  }
  at::set_num_threads(threads);
  std::vector<int64_t> fields;
  std::stringstream ss(fields_text);
  for (std::string f; std::getline(ss, f, ',');) fields.push_back(std::stoll(f));
  const auto o = model::ImageEnergyOptions().equivariant(equivariant != 0).fields(fields);
  torch::manual_seed(0);
  model::ImageEnergy net(o);
  // Random images stand in for the data: the cost does not depend on the pixels.
  auto gen = at::detail::createCPUGenerator(0);
  data::TrainingData data{torch::rand({64L * batches, 784}, gen, torch::kFloat32),
                         torch::randint(10, {64L * batches}, gen, torch::kLong), {}};
  std::shared_ptr<kernel::Kernel> k;
  if (kernel_name == "rbf") k = std::make_shared<kernel::RbfKernel>(0.1);
  else k = std::make_shared<kernel::GroupAveragedKernel>(group::ImageRotationGroup(28), 0.005,
                                                         kernel::RepulsionForm::kReference, 0, gen);
  auto so = sampler::SvgdOptions().max_steps(steps).temperature(2);
  auto co = train::CdOptions()
                .epochs(1)
                .batch_size(64)
                .svgd_step_size(train::Schedule(0.08))
                .reset_probability(0.1)
                .ce_weight(1);
  train::CdTrainer trainer(net.ptr(), k, so, co, 0);
  auto score = net->frozen_score();
  auto X = data.x.narrow(0, 0, 64);
  score(X);  // warm-up
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < 20; ++r) score(X);
  const double score_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / 20;
  t0 = std::chrono::steady_clock::now();
  trainer.fit(data);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "{\"what\": \"fashion cd epoch\", \"threads\": " << threads << ", \"batches\": " << batches
            << ", \"svgd_steps\": " << steps << ", \"equivariant\": " << equivariant << ", \"kernel\": \"" << kernel_name
            << "\", \"fields\": \"" << fields_text << "\", \"seconds\": " << s
            << ", \"images_per_second\": " << 64.0 * batches / s << ", \"score_ms\": " << score_ms << "}\n";
}
