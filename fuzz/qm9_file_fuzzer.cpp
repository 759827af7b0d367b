// read_qm9_file (one dsgdb9nsd_NNNNNN.xyz of the QM9 archive) on arbitrary bytes.
#include "esvgd/data/qm9_xyz.h"
#include "fuzz_input.h"
#include "molecule_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static esvgd::fuzz::InputFile file("qm9");
  const std::string& path = file.write(data, size);
  esvgd::fuzz::expect_clean_rejection([&] { esvgd::fuzz::check_molecule(esvgd::data::read_qm9_file(path)); });
  return 0;
}
