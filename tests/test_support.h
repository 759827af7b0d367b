#pragma once
// Helpers every test module shares: seeded generators, a whole-tensor relative error, and checks
// that a call throws esvgd::Error with the expected kind and message pieces.
#include <algorithm>
#include <initializer_list>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "esvgd/core/error.h"

namespace esvgd::test {

inline at::Generator make_gen(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

/// max |a − b| / max(max |b|, floor): the relative error of a whole tensor against a reference.
inline double rel_err(const torch::Tensor& a, const torch::Tensor& b, double floor = 1e-300) {
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), floor);
}

/// Runs f, expects esvgd::Error of `kind` whose message contains every needle.
template <typename F>
void expect_error(F&& f, esvgd::ErrorKind kind, std::initializer_list<std::string> needles) {
  try {
    f();
    ADD_FAILURE() << "no esvgd::Error thrown";
  } catch (const esvgd::Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (const auto& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << "'" << n << "' not in message: " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected esvgd::Error, got another exception: " << e.what();
  }
}

/// Runs f, expects esvgd::Error (of any kind) whose message contains `needle`.
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
