// Config (declared keys, typed values, JSON merging) and atomic file writes.
#include <algorithm>
#include <stdexcept>

#include "core/test_util.h"
#include "core/atomic_file.h"
#include "core/config.h"

namespace esvgd::test {
namespace {

using core::Config;

Config make_config() {
  Config c;
  c.declare("svgd.step_size", 0.02, "step size")
      .declare("svgd.steps", 1000, "number of steps")
      .declare("svgd.optimizer", "sgd", "sgd, adagrad or adam")
      .declare("svgd.median", false, "median heuristic")
      .declare("svgd.anneal.schedule", "none", "annealing schedule")
      .declare("target.radii", Config::Json::array({4.0, 8.0}), "ring radii")
      .declare("run.seeds", Config::Json::array({1, 2}), "seeds")
      .declare("plot.labels", Config::Json::array({"a"}), "labels");
  return c;
}

TEST(Config, DefaultsAndTypedGetters) {
  auto c = make_config();
  EXPECT_DOUBLE_EQ(c.get_double("svgd.step_size"), 0.02);
  EXPECT_EQ(c.get_int("svgd.steps"), 1000);
  EXPECT_EQ(c.get_string("svgd.optimizer"), "sgd");
  EXPECT_FALSE(c.get_bool("svgd.median"));
  EXPECT_EQ(c.get_doubles("target.radii"), (std::vector<double>{4.0, 8.0}));
  EXPECT_EQ(c.get_ints("run.seeds"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(c.get_strings("plot.labels"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(c.has("svgd.steps"));
  EXPECT_FALSE(c.has("svgd"));
  EXPECT_EQ(c.resolved().size(), 8u);
  EXPECT_NE(c.describe().find("svgd.steps = 1000   # number of steps"), std::string::npos) << c.describe();
}

// Library errors name options; a config renames each option to the keys declared to set it.
TEST(Config, ErrorsNamingAnOptionNameItsKeys) {
  Config c;
  c.declare("svgd.steps", 10, "steps", {"SvgdOptions::max_steps"})
      .declare("sample.steps", 10, "sampling steps", {"SvgdOptions::max_steps", "LangevinOptions::max_steps"})
      .declare("svgd.langevin", false, "noisy step", {"SvgdOptions::langevin"})
      .declare("svgd.clip", 0.0, "clip", {"SvgdOptions::clip"});
  const auto one = c.in_key_terms(Error(ErrorKind::kInvalidArgument, "SvgdOptions::clip", "needs SvgdOptions::langevin = true"));
  EXPECT_EQ(one.kind(), ErrorKind::kConfig);
  EXPECT_EQ(one.where(), "svgd.clip");
  EXPECT_STREQ(one.what(), "svgd.clip: needs svgd.langevin = true");
  const auto two = c.in_key_terms(Error(ErrorKind::kInvalidArgument, "SvgdOptions::max_steps", "must be >= 0"));
  EXPECT_EQ(two.where(), "sample.steps or svgd.steps");  // either key may have set it
  EXPECT_EQ(c.in_key_terms(Error(ErrorKind::kInvalidArgument, "LangevinOptions::max_steps", "x")).where(), "sample.steps");
  // Only whole names are renamed; errors elsewhere keep their kind and place.
  const auto hint = c.in_key_terms(
      Error(ErrorKind::kNumerical, "epoch 3", "NaN; try SvgdOptions::langevin_noise or XSvgdOptions::clip or SvgdOptions::clip"));
  EXPECT_EQ(hint.kind(), ErrorKind::kNumerical);
  EXPECT_STREQ(hint.what(), "epoch 3: NaN; try SvgdOptions::langevin_noise or XSvgdOptions::clip or svgd.clip");
  const auto other = c.in_key_terms(Error(ErrorKind::kIo, "a.npy", "SvgdOptions::clip"));
  EXPECT_EQ(other.kind(), ErrorKind::kIo);
  EXPECT_EQ(other.where(), "a.npy");
}

TEST(Config, UnknownKeyNamesTheKeyAndSource) {
  auto c = make_config();
  expect_error([&] { c.set("svgd.stepsize", 0.1, "my.json"); }, ErrorKind::kConfig, {"'svgd.stepsize'", "my.json"});
  expect_error([&] { c.set_from_string("svgd.stpes=10"); }, ErrorKind::kConfig, {"'svgd.stpes'", "--set"});
  // The error lists the known keys, so a typo is easy to fix.
  expect_error([&] { c.set("foo", 1, "x"); }, ErrorKind::kConfig, {"svgd.steps"});
}

TEST(Config, AMultiRankRunsRecordOfItsRanksIsSkippedWhenReadBack) {
  auto c = make_config();
  c.merge({{"svgd", {{"steps", 7}}}, {"ranks", {{"count", 2}, {"batch_per_rank", {16, 16}}}}}, "config.resolved.json");
  EXPECT_EQ(c.get_int("svgd.steps"), 7);
  EXPECT_FALSE(c.has("ranks.count"));
  expect_error([&] { c.merge({{"ranks", 2}}, "f.json"); }, ErrorKind::kConfig, {"'ranks'", "f.json"});
}

TEST(Config, TypeMismatchNamesKeyAndExpectedType) {
  auto c = make_config();
  expect_error([&] { c.set("svgd.steps", "many", "f.json"); }, ErrorKind::kConfig,
               {"'svgd.steps'", "an integer", "f.json"});
  expect_error([&] { c.set("svgd.steps", 2.5, "f.json"); }, ErrorKind::kConfig, {"'svgd.steps'", "an integer"});
  expect_error([&] { c.set("svgd.step_size", "fast", "f.json"); }, ErrorKind::kConfig, {"'svgd.step_size'", "a number"});
  expect_error([&] { c.set("svgd.median", 1, "f.json"); }, ErrorKind::kConfig, {"'svgd.median'", "a boolean"});
  expect_error([&] { c.set("svgd.optimizer", 3, "f.json"); }, ErrorKind::kConfig, {"'svgd.optimizer'", "a string"});
  expect_error([&] { c.set("target.radii", 4.0, "f.json"); }, ErrorKind::kConfig, {"'target.radii'", "a list"});
  expect_error([&] { c.set("target.radii", Config::Json::array({1.0, "x"}), "f.json"); }, ErrorKind::kConfig,
               {"'target.radii'"});
  // The failed sets left the values alone.
  EXPECT_EQ(c.get_int("svgd.steps"), 1000);
  EXPECT_DOUBLE_EQ(c.get_double("svgd.step_size"), 0.02);
}

TEST(Config, SetFromStringParsesNumbersListsAndStrings) {
  auto c = make_config();
  c.set_from_string("svgd.step_size=0.5");
  EXPECT_DOUBLE_EQ(c.get_double("svgd.step_size"), 0.5);
  c.set_from_string("svgd.step_size=1e-3");
  EXPECT_DOUBLE_EQ(c.get_double("svgd.step_size"), 1e-3);
  c.set_from_string("svgd.steps=250");
  EXPECT_EQ(c.get_int("svgd.steps"), 250);
  c.set_from_string("svgd.steps=2.0");  // integral float accepted for an integer key
  EXPECT_EQ(c.get_int("svgd.steps"), 2);
  EXPECT_TRUE(c.get("svgd.steps").is_number_integer());
  c.set_from_string("svgd.optimizer=adam");
  EXPECT_EQ(c.get_string("svgd.optimizer"), "adam");
  c.set_from_string("svgd.optimizer=\"sgd\"");  // a JSON string literal
  EXPECT_EQ(c.get_string("svgd.optimizer"), "sgd");
  c.set_from_string("svgd.median=true");
  EXPECT_TRUE(c.get_bool("svgd.median"));
  c.set_from_string("target.radii=[1, 2.5, 6]");
  EXPECT_EQ(c.get_doubles("target.radii"), (std::vector<double>{1.0, 2.5, 6.0}));
  c.set_from_string("run.seeds=[]");
  EXPECT_TRUE(c.get_ints("run.seeds").empty());
  c.set_from_string("plot.labels=[\"x\", \"y z\"]");
  EXPECT_EQ(c.get_strings("plot.labels"), (std::vector<std::string>{"x", "y z"}));
  c.set_from_string("svgd.anneal.schedule=a=b");  // only the first '=' splits
  EXPECT_EQ(c.get_string("svgd.anneal.schedule"), "a=b");
  expect_error([&] { c.set_from_string("svgd.steps"); }, ErrorKind::kConfig, {"key=value"});
  expect_error([&] { c.set_from_string("=3"); }, ErrorKind::kConfig, {"key=value"});
  expect_error([&] { c.set_from_string("svgd.steps=ten"); }, ErrorKind::kConfig, {"'svgd.steps'", "an integer"});
}

TEST(Config, NumberKeyKeepsItsDeclaredTypeAfterAnIntegerValue) {
  // The default fixes a key's type (config.h). An integer is a valid value for a number key, but
  // it must not turn the key into an integer key: "step_size=1" from one source followed by 0.5
  // from another is an ordinary override.
  auto c = make_config();
  c.set_from_string("svgd.step_size=3");
  EXPECT_DOUBLE_EQ(c.get_double("svgd.step_size"), 3.0);
  EXPECT_NO_THROW(c.set_from_string("svgd.step_size=1e-3"));
  EXPECT_DOUBLE_EQ(c.get_double("svgd.step_size"), 1e-3);
  auto d = make_config();
  d.merge(Config::Json::parse(R"({"svgd": {"step_size": 1}})"), "preset");
  EXPECT_NO_THROW(d.merge(Config::Json::parse(R"({"svgd": {"step_size": 0.25}})"), "user.json"));
  EXPECT_DOUBLE_EQ(d.get_double("svgd.step_size"), 0.25);
}

TEST(Config, GetPositiveNamesTheKey) {
  auto c = make_config();
  c.set("svgd.step_size", -0.5, "test");
  expect_error([&] { c.get_positive("svgd.step_size"); }, ErrorKind::kConfig, {"svgd.step_size", "> 0"});
  expect_error([&] { c.get("nope"); }, ErrorKind::kConfig, {"nope"});
}

class ConfigFiles : public ScratchDir {};

TEST_F(ConfigFiles, MergeFileFlattensNestedObjects) {
  auto c = make_config();
  write_bytes(path("cfg.json"),
              R"({"svgd": {"step_size": 0.1, "steps": 50, "anneal": {"schedule": "tanh"}},
                  "target": {"radii": [2, 3]}, "run.seeds": [7]})");
  c.merge_file(path("cfg.json"));
  EXPECT_DOUBLE_EQ(c.get_double("svgd.step_size"), 0.1);
  EXPECT_EQ(c.get_int("svgd.steps"), 50);
  EXPECT_EQ(c.get_string("svgd.anneal.schedule"), "tanh");
  EXPECT_EQ(c.get_doubles("target.radii"), (std::vector<double>{2.0, 3.0}));
  EXPECT_EQ(c.get_ints("run.seeds"), (std::vector<int64_t>{7}));
  // An unknown nested key names the flattened key and the file.
  write_bytes(path("typo.json"), R"({"svgd": {"anneal": {"shedule": "tanh"}}})");
  expect_error([&] { c.merge_file(path("typo.json")); }, ErrorKind::kConfig, {"svgd.anneal.shedule", path("typo.json")});
}

TEST_F(ConfigFiles, InvalidJsonNamesTheFile) {
  auto c = make_config();
  write_bytes(path("bad.json"), "{\"svgd\": {\"steps\": 10,}");
  expect_error([&] { c.merge_file(path("bad.json")); }, ErrorKind::kConfig, {path("bad.json"), "invalid JSON"});
  write_bytes(path("list.json"), "[1, 2]");
  expect_error([&] { c.merge_file(path("list.json")); }, ErrorKind::kConfig, {path("list.json"), "JSON object"});
  expect_error([&] { c.merge_file(path("missing.json")); }, ErrorKind::kIo, {path("missing.json")});
}

class AtomicFile : public ScratchDir {};

TEST_F(AtomicFile, WritesAndLeavesNoTemporary) {
  core::write_text_atomic(path("a.txt"), "hello\n");
  EXPECT_EQ(core::read_text(path("a.txt")), "hello\n");
  core::write_atomic(path("a.txt"), [](std::ostream& os) { os << "second"; });
  EXPECT_EQ(core::read_text(path("a.txt")), "second");
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.txt"}));
}

TEST_F(AtomicFile, ThrowingWriterKeepsOldFileAndRemovesTemporary) {
  core::write_text_atomic(path("data.txt"), "old contents");
  try {
    core::write_atomic(path("data.txt"), [](std::ostream& os) {
      os << "partial new contents";
      os.flush();
      throw std::runtime_error("writer failed");
    });
    ADD_FAILURE() << "the writer's exception was swallowed";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "writer failed");  // rethrown unchanged
  }
  EXPECT_EQ(core::read_text(path("data.txt")), "old contents");
  EXPECT_EQ(entries(), (std::vector<std::string>{"data.txt"}));
  // An esvgd::Error from the writer propagates as such, and a new file is not created at all.
  EXPECT_THROW(core::write_atomic(path("new.txt"),
                                  [](std::ostream&) { throw Error(ErrorKind::kFormat, "x", "bad"); }),
               esvgd::Error);
  EXPECT_EQ(entries(), (std::vector<std::string>{"data.txt"}));
}

TEST_F(AtomicFile, UnwritableDirectoryIsAnIoErrorNamingThePath) {
  const std::string p = path("no/such/dir/file.txt");
  expect_error([&] { core::write_text_atomic(p, "x"); }, ErrorKind::kIo, {p});
  expect_error([&] { core::read_text(path("absent.txt")); }, ErrorKind::kIo, {path("absent.txt")});
}

}  // namespace
}  // namespace esvgd::test
