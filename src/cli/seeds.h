#pragma once
/// `esvgd run <experiment> --seeds 1-5 [--jobs J] [--out DIR] ...`: one ordinary run per seed in
/// DIR/seed-<s>/ (each on one thread, resumable on its own, its log in DIR/seed-<s>.log), at most J at
/// a time, then DIR/summary.md and DIR/metrics.json over the seeds (seed_summary.h).
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace esvgd::cli {

/// "1-5", "1,3,8", "1-3,10": the seeds in order, each once. Throws std::invalid_argument with a
/// message naming the part that is not a seed or a range.
std::vector<uint64_t> parse_seeds(const std::string& text);

/// run_args: the command line of one run without the program name and without --seeds, --jobs, --out,
/// --seed and --threads. Returns 0 when every seed's run succeeded, else the first failure's status.
int run_seeds(const std::vector<std::string>& run_args, const std::vector<uint64_t>& seeds, int jobs,
              const std::filesystem::path& out, std::ostream& log, std::ostream& err);

}  // namespace esvgd::cli
