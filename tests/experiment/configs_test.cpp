// The committed configs/ files are exactly the built-in presets, and every key they set exists.
#include <fstream>

#include <gtest/gtest.h>

#include "core/config.h"
#include "experiment/experiment.h"

namespace {

TEST(Configs, CommittedFilesMatchBuiltInPresets) {
  for (const auto& e : esvgd::experiment::experiments()) {
    std::vector<std::string> presets{"paper", "quick"};
    for (const auto& [name, keys] : e->extra_presets()) presets.push_back(name);
    for (const std::string& preset : presets) {
      const std::string file = std::string(ESVGD_SOURCE_DIR) + "/configs/" + e->name() + "." + preset + ".json";
      std::ifstream in(file);
      ASSERT_TRUE(in) << "missing " << file << " (regenerate: esvgd config " << e->name() << " --preset " << preset
                      << " --json > " << file << ")";
      auto committed = nlohmann::json::parse(in);
      auto built_in = esvgd::experiment::make_config(*e, preset).resolved();
      EXPECT_EQ(committed, built_in) << file << " is out of date";
      // Loading the file through --config must work (every key declared, every type right).
      auto config = esvgd::experiment::make_config(*e, "paper");
      EXPECT_NO_THROW(config.merge_file(file)) << file;
    }
  }
}

TEST(Configs, QuickPresetOnlyOverridesDeclaredKeys) {
  for (const auto& e : esvgd::experiment::experiments()) {
    esvgd::core::Config c;
    e->declare(c);
    EXPECT_NO_THROW(c.merge(e->quick_preset(), "quick")) << e->name();
  }
}

}  // namespace
