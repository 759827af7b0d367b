#pragma once
/// Figures are drawn by the Python package (python/esvgd/plot/, matplotlib) from the data that an
/// experiment writes under <run>/figures/: the command line calls it after a run and for `esvgd plot`.
#include <filesystem>
#include <ostream>
#include <string>

namespace esvgd::cli {

/// Runs `python3 -m esvgd.plot run_dir` (interpreter: the path $ESVGD_PYTHON, else /usr/bin/python3; the
/// build tree's package first on PYTHONPATH). Returns "" when the figures were drawn or the run has
/// none, else why not (Python or matplotlib missing, a drawing error: its last line).
std::string draw_figures(const std::filesystem::path& run_dir);

}  // namespace esvgd::cli
