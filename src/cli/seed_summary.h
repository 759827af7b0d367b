#pragma once
/// What a run over several seeds (`esvgd run ... --seeds 1-5`) says about them: every number of the
/// seeds' metrics.json, as mean, standard deviation, min and max over seeds, and for the rows of each
/// table (list entries named by "label", "combination" or "sampler", a repeated name numbered) the
/// paired difference between every two rows with its 95 % t interval and how many seeds each row is lower.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace esvgd::cli {

/// runs: {seed, that seed's metrics.json}; the result names the experiment (of the first run), the
/// seeds and the tables. Numbers found in only some runs are left out.
nlohmann::json summarize_seeds(const std::vector<std::pair<uint64_t, nlohmann::json>>& runs);

/// The summary as markdown: one table per metrics table (rows × columns: mean ± sd), then the pairs.
std::string seed_summary_markdown(const nlohmann::json& summary);

}  // namespace esvgd::cli
