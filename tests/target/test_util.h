#pragma once
// Shared helpers for the target tests.
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

/// Expects esvgd::Error whose message contains `needle`.
template <typename F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no esvgd::Error thrown (expected one mentioning '" << needle << "')";
  } catch (const esvgd::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected esvgd::Error mentioning '" << needle << "', got another exception: " << e.what();
  }
}

}  // namespace esvgd::test
