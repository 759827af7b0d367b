// Inputs from a hostile-input probe that once crashed, hung or printed more than one line: deep or
// repeated JSON, out-of-range integers, control bytes, FIFOs, oversized settings, a second run
// into a locked folder and signals.
#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "core/test_util.h"
#include "core/atomic_file.h"
#include "core/config.h"
#include "core/folder_lock.h"
#include "core/interrupt.h"
#include "esvgd/core/progress.h"
#include "core/resources.h"

namespace esvgd::test {
namespace {

using core::Config;

Config small_config() {
  Config c;
  c.declare("particles", int64_t{50}, "particles").declare("step", 0.1, "step").declare("name", "a", "name");
  c.declare("list", Config::Json::array({1, 2}), "a list");
  return c;
}

class HostileInput : public ScratchDir {};

TEST_F(HostileInput, DeepJsonIsRefusedNotACrash) {
  const int depth = 60000;  // once a stack overflow in copying and printing the value
  for (const auto& [open, close] : {std::pair{"[", "]"}, {"{\"a\":", "}"}}) {
    std::string text;
    for (int i = 0; i < depth; ++i) text += open;
    text += "1";
    for (int i = 0; i < depth; ++i) text += close;
    write_bytes(path("deep.json"), "{\"list\": " + text + "}");
    auto c = small_config();
    expect_error([&] { c.merge_file(path("deep.json")); }, ErrorKind::kConfig, {path("deep.json"), "nested deeper than 64"});
    expect_error([&] { c.set_from_string("list=" + text); }, ErrorKind::kConfig, {"--set list=", "nested deeper than 64"});
  }
  auto c = small_config();  // 60 levels are fine
  std::string ok = "{\"x\": ";
  for (int i = 0; i < 60; ++i) ok += "[";
  for (int i = 0; i < 60; ++i) ok += "]";
  write_bytes(path("ok.json"), ok + "}");
  expect_error([&] { c.merge_file(path("ok.json")); }, ErrorKind::kConfig, {"unknown config key 'x'"});
}

TEST_F(HostileInput, RepeatedJsonKeysAreAnError) {
  write_bytes(path("twice.json"), R"({"particles": 5, "step": 0.2, "particles": 7})");
  auto c = small_config();
  expect_error([&] { c.merge_file(path("twice.json")); }, ErrorKind::kConfig, {path("twice.json"), "'particles' appears twice"});
  write_bytes(path("nested.json"), R"({"a": {"b": 1}, "c": {"b": 2}})");  // the same name in two objects is fine
  expect_error([&] { c.merge_file(path("nested.json")); }, ErrorKind::kConfig, {"unknown config key 'a.b'"});
}

TEST_F(HostileInput, NumbersOutOfRangeNameTheFileOrKey) {
  write_bytes(path("huge.json"), R"({"step": 1e400})");
  auto c = small_config();
  expect_error([&] { c.merge_file(path("huge.json")); }, ErrorKind::kConfig, {path("huge.json"), "1e400"});
  c.set_from_string("particles=9223372036854775807");  // kept exactly, not wrapped to a negative count
  EXPECT_EQ(c.get_int("particles"), INT64_MAX);
  c.set_from_string("particles=1e9");
  EXPECT_EQ(c.get_int("particles"), 1000000000);
  for (const std::string v : {"9223372036854775808", "1e19", "-1e300"})
    expect_error([&] { c.set_from_string("particles=" + v); }, ErrorKind::kConfig, {"'particles' must be an integer (64-bit)"});
}

TEST_F(HostileInput, ControlBytesAndInvalidUtf8AreShownNotPrinted) {
  const Error e(ErrorKind::kFormat, std::string("bin\x01.xyz", 8), std::string("bad byte \0 then \x1b[31m red\n", 26));
  EXPECT_EQ(std::string(e.what()), "bin\\x01.xyz: bad byte \\x00 then \\x1b[31m red\\x0a");
  auto c = small_config();
  expect_error([&] { c.set_from_string("name=\xff\xfe"); }, ErrorKind::kConfig, {"'name'", "not valid UTF-8"});
  expect_error([&] { c.set_from_string("particles=\xff"); }, ErrorKind::kConfig, {"'particles' must be an integer"});
  expect_error([&] { c.set_from_string("nokey=" + std::string(100000, 'x')); }, ErrorKind::kConfig, {"unknown config key 'nokey'"});
  try {
    c.set_from_string("particles=" + std::string(100000, 'x'));
  } catch (const Error& err) {
    EXPECT_LT(std::string(err.what()).size(), 1000u) << "quoted user input is clipped";
  }
}

TEST_F(HostileInput, AFifoIsNotRead) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  expect_error([&] { core::read_text(path("fifo")); }, ErrorKind::kIo, {path("fifo"), "not a regular file"});
}

TEST_F(HostileInput, OversizedSettingsAreRefusedWithTheEstimate) {
  ::setenv("ESVGD_MEMORY_LIMIT_GB", "2", 1);
  EXPECT_DOUBLE_EQ(core::memory_limit_bytes(), 2.0 * (1 << 30));
  core::require_memory("particles", 1e9, "the particles");
  expect_error([&] { core::require_memory("particles", 3e9, "the particles"); }, ErrorKind::kConfig,
               {"config key 'particles'", "needs about 2.8 GiB of memory for the particles", "2.0 GiB this machine has"});
  ::unsetenv("ESVGD_MEMORY_LIMIT_GB");
  EXPECT_GT(core::memory_limit_bytes(), 1e8);
  core::require_work("particles", 1e13, "the steps");
  expect_error([&] { core::require_work("particles", 5e17, "the steps"); }, ErrorKind::kConfig,
               {"config key 'particles'", "5e+17 pair evaluations"});
}

TEST_F(HostileInput, AFolderLockIsHeldByOneOwnerAtATime) {
  const std::string out = path("out");
  {
    core::FolderLock first(out);
    EXPECT_TRUE(std::filesystem::exists(out + ".lock"));
    expect_error([&] { core::FolderLock second(out); }, ErrorKind::kIo,
                 {out, "another esvgd run (pid " + std::to_string(::getpid()) + ")"});
  }
  EXPECT_FALSE(std::filesystem::exists(out + ".lock")) << "released locks leave no file";
  core::FolderLock again(out);
}

TEST_F(HostileInput, ASignalStopsLoopsAtTheirNextProgressUpdate) {
  {
    core::InterruptHandlers handlers;
    core::Progress progress("steps", 10, nullptr);
    progress.update(1);
    ASSERT_EQ(::raise(SIGTERM), 0);  // handled: the process goes on
    EXPECT_EQ(core::interrupt_signal(), SIGTERM);
    try {
      progress.update(2);
      ADD_FAILURE() << "update() after a signal must throw";
    } catch (const core::Interrupted& e) {
      EXPECT_EQ(e.signal(), SIGTERM);
      EXPECT_NE(std::string(e.what()).find("at 2/10 of steps"), std::string::npos) << e.what();
    }
    progress.report(3);  // report() leaves the stopping to a safe point of the caller's own
  }
  EXPECT_EQ(core::interrupt_signal(), 0) << "the ended run's signal must not stop the next loop";
}

}  // namespace
}  // namespace esvgd::test
