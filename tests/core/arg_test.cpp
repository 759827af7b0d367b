// ESVGD_ARG (core/arg.h): chained setters return the object, defaults hold, getters of nested
// options write through, the storage is private, and members declared after an ESVGD_ARG line stay
// public.
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "esvgd/core/arg.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/target/meta_stable.h"
#include "esvgd/train/cd_trainer.h"

namespace {

using esvgd::sampler::AnnealSchedule;
using esvgd::sampler::LangevinOptions;
using esvgd::sampler::OptimizerKind;
using esvgd::sampler::OptimizerOptions;
using esvgd::sampler::SvgdOptions;

struct Toy {
  ESVGD_ARG(int, count) = 3;
  ESVGD_ARG(std::vector<int>, sizes) = {1, 2};
  int twice() const { return 2 * count(); }  // after the ESVGD_ARG lines: still public
};

// Whether T::max_steps_ is accessible from here (access checks are part of substitution).
template <class T, class = void>
struct PublicStorage : std::false_type {};
template <class T>
struct PublicStorage<T, std::void_t<decltype(std::declval<T&>().max_steps_)>> : std::true_type {};
struct Exposed {
  int max_steps_ = 0;
};
static_assert(PublicStorage<Exposed>::value, "the detector sees a public member");
static_assert(!PublicStorage<SvgdOptions>::value, "ESVGD_ARG keeps its storage private");

TEST(Arg, DefaultsHold) {
  const SvgdOptions o;
  EXPECT_EQ(o.max_steps(), 1000);
  EXPECT_EQ(o.epsilon(), 0.0);
  EXPECT_EQ(o.temperature(), 1.0);
  EXPECT_FALSE(o.median());
  EXPECT_EQ(o.median_max_pairs(), 100000);
  EXPECT_TRUE(o.measure_coupling());
  EXPECT_EQ(o.optimizer().kind(), OptimizerKind::kSgd);
  EXPECT_EQ(o.optimizer().step_size(), 0.02);
  EXPECT_EQ(o.anneal().schedule(), AnnealSchedule::kNone);
  EXPECT_EQ(SvgdOptions::max_steps_default, 1000);

  const LangevinOptions l;
  EXPECT_EQ(l.max_steps(), 100);
  EXPECT_FALSE(l.bounded());

  const esvgd::train::CdOptions cd;
  EXPECT_EQ(cd.learning_rate().at(0), 1e-3);
  EXPECT_EQ(cd.svgd_step_size().at(7), 0.9);
  EXPECT_EQ(cd.box_low(), -5);
  EXPECT_EQ(cd.box_high(), 5);
  EXPECT_TRUE(cd.checkpoint_path().empty());

  EXPECT_EQ(esvgd::target::StateSearchOptions().relax().max_iterations(), 20000);
  EXPECT_EQ(Toy().sizes(), (std::vector<int>{1, 2}));
  EXPECT_EQ(Toy().twice(), 6);
}

TEST(Arg, ChainedSettersSetAndReturnTheObject) {
  SvgdOptions o;
  static_assert(std::is_same_v<decltype(o.max_steps(5)), SvgdOptions&>);
  EXPECT_EQ(&o.max_steps(5).epsilon(1e-3), &o);
  EXPECT_EQ(o.max_steps(), 5);
  EXPECT_EQ(o.epsilon(), 1e-3);

  const auto p = SvgdOptions()
                     .max_steps(500)
                     .median(true)
                     .optimizer(OptimizerOptions().kind(OptimizerKind::kAdam).step_size(0.1));
  EXPECT_EQ(p.max_steps(), 500);
  EXPECT_TRUE(p.median());
  EXPECT_EQ(p.optimizer().kind(), OptimizerKind::kAdam);
  EXPECT_EQ(p.optimizer().step_size(), 0.1);
  EXPECT_EQ(p.optimizer().adam_beta2(), 0.999);  // the rest keeps its defaults
  EXPECT_EQ(p.temperature(), 1.0);

  const auto l = LangevinOptions().low(0).high(1);
  EXPECT_TRUE(l.bounded());

  const std::vector<int> sizes{4, 5, 6};
  Toy t;
  t.sizes(sizes);  // the const T& setter
  EXPECT_EQ(t.sizes(), sizes);
  t.sizes({7});  // the T&& setter
  EXPECT_EQ(t.sizes(), std::vector<int>{7});
}

TEST(Arg, NonConstGettersWriteThrough) {
  SvgdOptions o;
  o.optimizer().step_size(0.5);
  o.anneal().schedule(AnnealSchedule::kTanh).steps(10);
  o.max_steps() += 1;
  EXPECT_EQ(o.optimizer().step_size(), 0.5);
  EXPECT_EQ(o.anneal().schedule(), AnnealSchedule::kTanh);
  EXPECT_EQ(o.anneal().steps(), 10);
  EXPECT_EQ(o.max_steps(), 1001);

  esvgd::train::CdOptions cd;
  cd.langevin().noise(0.25);
  EXPECT_EQ(cd.langevin().noise(), 0.25);

  Toy t;
  t.sizes().push_back(3);
  EXPECT_EQ(t.sizes(), (std::vector<int>{1, 2, 3}));

  // A copy is independent of its source.
  const auto copy = o;
  o.optimizer().step_size(0.75);
  EXPECT_EQ(copy.optimizer().step_size(), 0.5);
}

}  // namespace
