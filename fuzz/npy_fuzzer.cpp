// read_npy and read_particles (--init) on arbitrary bytes.
#include <torch/types.h>

#include "esvgd/core/npy.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static esvgd::fuzz::InputFile file("npy");
  const std::string& path = file.write(data, size);
  esvgd::fuzz::expect_clean_rejection([&] {
    const torch::Tensor t = esvgd::core::read_npy(path);
    // The header promised exactly the bytes that follow it.
    const size_t payload = static_cast<size_t>(t.numel()) * static_cast<size_t>(t.element_size());
    if (payload > size) esvgd::fuzz::finding("read_npy", "the tensor holds more bytes than the file");
    // What read_npy accepts goes on to the --init checks (2-D, float64, finite, D = 3 as for spheres).
    esvgd::core::read_particles(path, 3);
  });
  return 0;
}
