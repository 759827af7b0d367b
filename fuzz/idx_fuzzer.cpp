// read_idx on arbitrary bytes. Built twice: idx_fuzzer writes the input as it is (raw IDX, or a gzip
// stream that the reader detects itself: corrupt streams are reached this way), idx_gzip_fuzzer
// (ESVGD_FUZZ_GZIP) gzips it first, so that mutations of the IDX content arrive through a valid
// gzip stream as the shipped datasets do.
#include <zlib.h>

#include <cstring>

#include <torch/types.h>

#include "esvgd/data/idx.h"
#include "fuzz_input.h"

#ifndef ESVGD_FUZZ_GZIP
#define ESVGD_FUZZ_GZIP 0
#endif

namespace {

void write_gzipped(const std::string& path, const uint8_t* data, size_t size) {
  gzFile g = gzopen(path.c_str(), "wb1");  // level 1: the compression ratio does not matter here
  const bool ok = g != nullptr && (size == 0 || gzwrite(g, data, static_cast<unsigned>(size)) > 0);
  if (g == nullptr || gzclose(g) != Z_OK || !ok) esvgd::fuzz::finding("harness", "cannot write the gzip file");
}

// An accepted file is exactly header + data: the tensor must hold the bytes after the header.
void check_payload(const torch::Tensor& t, const uint8_t* data, size_t size) {
  const size_t header = 4 + 4 * static_cast<size_t>(t.dim());
  const auto n = static_cast<size_t>(t.numel());
  if (t.dim() < 1 || t.dim() > 4 || header + n != size || std::memcmp(t.data_ptr<uint8_t>(), data + header, n) != 0)
    esvgd::fuzz::finding("read_idx", "the tensor is not the file's data");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static esvgd::fuzz::InputFile file(ESVGD_FUZZ_GZIP ? "idx-gz" : "idx");
  if (ESVGD_FUZZ_GZIP)
    write_gzipped(file.path(), data, size);
  else
    file.write(data, size);
  // Only a file that is not itself gzip holds its IDX bytes as they are.
  const bool plain = ESVGD_FUZZ_GZIP || size < 2 || data[0] != 0x1f || data[1] != 0x8b;
  esvgd::fuzz::expect_clean_rejection([&] {
    const torch::Tensor t = esvgd::data::read_idx(file.path());
    if (plain) check_payload(t, data, size);
  });
  return 0;
}
