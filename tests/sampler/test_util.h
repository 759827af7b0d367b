#pragma once
// Shared helpers for the sampler tests.
#include <cmath>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "esvgd/core/error.h"

namespace esvgd::test {

inline at::Generator make_gen(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

inline double rel_err(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), 1e-300);
}

/// Runs f, expects esvgd::Error of `kind` whose message contains every needle.
template <typename F>
void expect_error(F&& f, esvgd::ErrorKind kind, std::initializer_list<std::string> needles) {
  try {
    f();
    ADD_FAILURE() << "no esvgd::Error thrown";
  } catch (const esvgd::Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << "message: " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected esvgd::Error, got another exception: " << e.what();
  }
}

}  // namespace esvgd::test
