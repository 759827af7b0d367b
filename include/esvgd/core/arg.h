#pragma once
/// ESVGD_ARG(T, name): one option of an options struct, with chained setters named like the option,
/// the idea of LibTorch's TORCH_ARG (torch/arg.h):
///
///   struct SvgdOptions {
///     ESVGD_ARG(int64_t, max_steps) = 1000;  ///< steps before the run stops
///     ESVGD_ARG(OptimizerOptions, optimizer);
///   };
///
///   auto o = SvgdOptions().max_steps(500).optimizer(OptimizerOptions().step_size(0.1));
///   o.max_steps();                   // read (const T&)
///   o.max_steps(5);                  // write in place; returns the struct, so setters chain
///   o.optimizer().step_size(0.05);   // the non-const getter returns T&: nested options write through
///
/// The value lives in the private member `name_`. The macro's last declarator is the public
/// constant `name_default` (static inline const T), which is what `= 1000` initialises; `name_`
/// starts as a copy of it. This keeps the `ESVGD_ARG(T, name) = default;` form with private storage
/// and leaves the access at `public:` (the default of a struct), so members written after an
/// ESVGD_ARG line (a function such as LangevinOptions::bounded()) stay public; TORCH_ARG instead
/// leaves `private:` behind. Without `= ...` the default is a default-constructed T (a class type:
/// an empty vector or string, an options struct's own defaults).
/// T must not contain a top-level comma (use an alias for such a type).
#include <utility>

#define ESVGD_ARG(T, name)                                \
 public:                                                  \
  auto name(const T& new_##name)->decltype(*this) {       \
    this->name##_ = new_##name;                           \
    return *this;                                         \
  }                                                       \
  auto name(T&& new_##name)->decltype(*this) {            \
    this->name##_ = std::move(new_##name);                \
    return *this;                                         \
  }                                                       \
  const T& name() const noexcept { return this->name##_; } \
  T& name() noexcept { return this->name##_; }            \
                                                          \
 private:                                                 \
  T name##_ = name##_default;                             \
                                                          \
 public:                                                  \
  static inline const T name##_default
