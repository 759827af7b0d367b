#include "esvgd/data/shipped_data.h"

#include <cstdlib>
#include <filesystem>

#ifndef ESVGD_SOURCE_DATA_DIR
#define ESVGD_SOURCE_DATA_DIR "data"
#endif

namespace esvgd::data {

std::string shipped_data_path(const std::string& relative) {
  const char* env = std::getenv("ESVGD_DATA_DIR");
  const std::filesystem::path root = env && *env ? env : ESVGD_SOURCE_DATA_DIR;
  return (root / relative).string();
}

}  // namespace esvgd::data
