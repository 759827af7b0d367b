#pragma once
// The command line in-process, for the cli tests: run_cli() and a fixture with a scratch folder.
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/cli.h"

namespace fs = std::filesystem;

namespace cli_test {

struct CliResult {
  int status;
  std::string out, err;
};

inline CliResult run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "esvgd");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  const int status = esvgd::cli::main(static_cast<int>(argv.size()), argv.data(), out, err);
  return {status, out.str(), err.str()};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("esvgd_cli_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  /// No output folder and no staging folder next to it.
  void expect_nothing_written(const std::string& out) const {
    EXPECT_FALSE(fs::exists(out)) << out;
    for (const auto& e : fs::directory_iterator(dir_))
      EXPECT_EQ(e.path().filename().string().find("out.tmp"), std::string::npos) << e.path();
  }
  /// A tiny c4-gaussians run: a few steps, two samplers.
  /// A run of a few milliseconds; figures (a Python process, seconds) only when asked for.
  std::vector<std::string> tiny_run(const std::string& out, bool plot = false) const {
    std::vector<std::string> args{"run", "c4-gaussians", "--quiet", "--out", out, "--set", "svgd.steps=20", "--set",
                                  "metrics.truth_samples=300", "--set", "samplers=[\"rbf\",\"orbit-matrix\"]"};
    if (!plot) args.push_back("--no-plot");
    return args;
  }
  fs::path dir_;
};

}  // namespace cli_test
