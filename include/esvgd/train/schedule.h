#pragma once
/// Piecewise-constant schedules over epochs, as in the seed (D.3): values[0] until milestones[0],
/// then values[1] until milestones[1], ... ("the learning rate is reduced at epochs 150 and 400 to
/// 5e-4 and 1e-4" is values {1e-3, 5e-4, 1e-4}, milestones {150, 400}).
#include <string>
#include <vector>

namespace esvgd::train {

class Schedule {
 public:
  /// A constant.
  explicit Schedule(double value = 0.0);
  /// values.size() == milestones.size() + 1, values > 0 and finite, milestones strictly increasing
  /// and >= 1; errors name `key` (the config key the values came from).
  Schedule(std::vector<double> values, std::vector<int64_t> milestones, const std::string& key = "schedule");
  /// The value in force during 0-based epoch `epoch`.
  double at(int64_t epoch) const;
  const std::vector<double>& values() const { return values_; }
  const std::vector<int64_t>& milestones() const { return milestones_; }

 private:
  std::vector<double> values_;
  std::vector<int64_t> milestones_;
};

}  // namespace esvgd::train
