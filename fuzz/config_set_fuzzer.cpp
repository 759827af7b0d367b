// Config::set_from_string (--set key=value) on arbitrary bytes. The first byte picks a declared
// key, so that most inputs reach the value's parsing and type check; one choice in nine takes the
// whole text as the assignment instead, so that keys (unknown, empty, holding '=') come from the
// input too.
#include "fuzz_config.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& keys = esvgd::fuzz::config_keys();
  const size_t pick = data[0] % (keys.size() + 1);
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string assignment = pick < keys.size() ? keys[pick] + "=" + text : text;
  esvgd::fuzz::expect_clean_rejection([&] {
    esvgd::core::Config c = esvgd::fuzz::declared_config();
    c.set_from_string(assignment);
    esvgd::fuzz::read_back(c);
  });
  return 0;
}
