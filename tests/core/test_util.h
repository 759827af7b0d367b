#pragma once
// Shared helpers for the core tests: a scratch directory per test and error expectations.
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "esvgd/core/error.h"
#include "test_support.h"

namespace esvgd::test {

/// A fresh directory under the system temp dir (a FreshDir named after the test), removed with its
/// contents at the end of the test.
class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    scratch_ = std::make_unique<FreshDir>(std::string("test_") + info->test_suite_name() + "_" + info->name());
    dir_ = *scratch_;
  }
  void TearDown() override { scratch_.reset(); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  /// Names of the entries in the scratch directory.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    return out;
  }
  std::filesystem::path dir_;

 private:
  std::unique_ptr<FreshDir> scratch_;
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream os(path, std::ios::binary | std::ios::trunc);
  os.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  std::ostringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

}  // namespace esvgd::test
