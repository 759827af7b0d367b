#pragma once
/// Where the data files shipped in the repository's data/ folder are found.
#include <string>

namespace esvgd::data {

/// Path of a file shipped in the repository's data/ folder: under $ESVGD_DATA_DIR when it is set,
/// else under the source tree this library was built from.
std::string shipped_data_path(const std::string& relative);

}  // namespace esvgd::data
