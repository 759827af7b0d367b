// Config::merge_file (--config FILE.json) on arbitrary bytes.
#include "fuzz_config.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static esvgd::fuzz::InputFile file("config");
  const std::string& path = file.write(data, size);
  esvgd::fuzz::expect_clean_rejection([&] {
    esvgd::core::Config c = esvgd::fuzz::declared_config();
    c.merge_file(path);
    esvgd::fuzz::read_back(c);
  });
  return 0;
}
