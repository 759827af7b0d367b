#include "cli/seed_summary.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

namespace esvgd::cli {

namespace {

using Json = nlohmann::json;

/// table ("metrics/samplers", or "" for the run's own numbers) -> row -> column -> one value per run.
using Values = std::map<std::string, std::map<std::string, std::map<std::string, std::vector<double>>>>;

std::string row_name(const Json& row) {
  // A label names a row most precisely (ablation-efficiency: "rbf N=20"); a combination row also names its sampler.
  for (const char* key : {"label", "combination", "sampler", "name"})
    if (row.contains(key) && row[key].is_string()) return row[key].get<std::string>();
  return "";
}

void collect(const Json& j, const std::string& path, Values& values) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (value.is_number() && key != "seed") values[""][""][path.empty() ? key : path + "/" + key].push_back(value.get<double>());
      else collect(value, path.empty() ? key : path + "/" + key, values);
    }
  } else if (j.is_array()) {
    std::map<std::string, int> seen;
    for (const auto& row : j) {
      std::string name = row.is_object() ? row_name(row) : "";
      if (name.empty()) continue;
      if (const int n = ++seen[name]; n > 1) name += " (" + std::to_string(n) + ")";  // rows that share a name stay apart
      for (const auto& [key, value] : row.items())
        if (value.is_number()) values[path][name][key].push_back(value.get<double>());
    }
  }
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double sd_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

/// The two-sided 95 % quantile of Student's t with `df` degrees of freedom.
double t95(size_t df) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};
  if (df == 0) return std::nan("");
  return df <= 20 ? table[df - 1] : df <= 30 ? 2.042 : df <= 60 ? 2.000 : 1.960;
}

Json stats(const std::vector<double>& v) {
  return {{"mean", mean_of(v)}, {"sd", sd_of(v)}, {"min", *std::min_element(v.begin(), v.end())},
          {"max", *std::max_element(v.begin(), v.end())}, {"values", v}};
}

/// Row a − row b per seed: mean, 95 % t interval, and in how many seeds each is the lower.
Json paired(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  int a_lower = 0, b_lower = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    d.push_back(a[i] - b[i]);
    a_lower += a[i] < b[i];
    b_lower += b[i] < a[i];
  }
  const double half = t95(d.size() - 1) * sd_of(d) / std::sqrt(static_cast<double>(d.size()));
  return {{"mean", mean_of(d)}, {"low", mean_of(d) - half}, {"high", mean_of(d) + half},
          {"a_lower", a_lower}, {"b_lower", b_lower}};
}

Json table_summary(const std::map<std::string, std::map<std::string, std::vector<double>>>& rows, size_t runs) {
  Json t{{"rows", Json::object()}, {"pairs", Json::array()}};
  for (const auto& [row, columns] : rows)
    for (const auto& [column, v] : columns)
      if (v.size() == runs) t["rows"][row][column] = stats(v);
  for (auto a = rows.begin(); a != rows.end(); ++a)
    for (auto b = std::next(a); b != rows.end(); ++b)
      for (const auto& [column, va] : a->second) {
        const auto vb = b->second.find(column);
        if (va.size() != runs || vb == b->second.end() || vb->second.size() != runs) continue;
        Json p = paired(va, vb->second);
        p["a"] = a->first;
        p["b"] = b->first;
        p["column"] = column;
        t["pairs"].push_back(p);
      }
  return t;
}

/// column -> {mean, row} sorted by mean.
std::map<std::string, std::vector<std::pair<double, std::string>>> by_mean(const Json& rows) {
  std::map<std::string, std::vector<std::pair<double, std::string>>> columns;
  for (const auto& [row, cols] : rows.items())
    for (const auto& [column, s] : cols.items()) columns[column].emplace_back(s["mean"].get<double>(), row);
  for (auto& [column, v] : columns) std::sort(v.begin(), v.end());
  return columns;
}

std::string number(double x) {
  std::ostringstream s;
  s << std::setprecision(4) << x;
  return s.str();
}

}  // namespace

Json summarize_seeds(const std::vector<std::pair<uint64_t, Json>>& runs) {
  Values values;
  Json seeds = Json::array();
  for (const auto& [seed, metrics] : runs) {
    seeds.push_back(seed);
    collect(metrics, "", values);
  }
  Json tables = Json::object();
  for (const auto& [table, rows] : values) tables[table.empty() ? "run" : table] = table_summary(rows, runs.size());
  const std::string experiment = runs.empty() ? "" : runs.front().second.value("experiment", "");
  return {{"experiment", experiment}, {"seeds", seeds}, {"tables", tables}};
}

std::string seed_summary_markdown(const Json& summary) {
  std::ostringstream md;
  const size_t n = summary["seeds"].size();
  md << "# Over " << n << " seeds (" << summary["seeds"].dump() << ")\n\nPer column, the rows from the lowest "
     << "mean up: mean ± sd (min–max). Pairs: a − b per seed, mean [95 % t interval], and in how many seeds "
     << "each is lower.\n";
  for (const auto& [table, t] : summary["tables"].items()) {
    md << "\n## " << table << "\n\n| column | row | mean ± sd | min–max |\n|---|---|---:|---:|\n";
    for (const auto& [column, rows] : by_mean(t["rows"]))
      for (const auto& [mean, row] : rows) {
        const auto& s = t["rows"][row][column];
        md << "| " << column << " | " << row << " | " << number(mean) << " ± " << number(s["sd"]) << " | "
           << number(s["min"]) << "–" << number(s["max"]) << " |\n";
      }
    if (t["pairs"].empty()) continue;
    md << "\n| column | a | b | a − b | 95 % interval | a lower | b lower |\n|---|---|---|---:|---|---:|---:|\n";
    for (const auto& p : t["pairs"])
      md << "| " << p["column"].get<std::string>() << " | " << p["a"].get<std::string>() << " | "
         << p["b"].get<std::string>() << " | " << number(p["mean"]) << " | [" << number(p["low"]) << ", "
         << number(p["high"]) << "] | " << p["a_lower"] << " | " << p["b_lower"] << " |\n";
  }
  return md.str();
}

}  // namespace esvgd::cli
