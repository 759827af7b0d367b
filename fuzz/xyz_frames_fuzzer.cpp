// read_xyz_frames (multi-frame XYZ, what data/qm9 ships) on arbitrary bytes.
#include "esvgd/data/qm9_xyz.h"
#include "fuzz_input.h"
#include "molecule_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static esvgd::fuzz::InputFile file("xyz");
  const std::string& path = file.write(data, size);
  esvgd::fuzz::expect_clean_rejection([&] {
    for (const auto& m : esvgd::data::read_xyz_frames(path)) esvgd::fuzz::check_molecule(m);
  });
  return 0;
}
