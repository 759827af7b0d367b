// The `esvgd` command line; all logic lives in esvgd::cli so that tests can call it in-process.
#include <malloc.h>

#include <iostream>

#include "cli/cli.h"

namespace {

/// LibTorch frees and allocates tensors of the same sizes at every sampler step. With glibc's
/// defaults, blocks above 128 KiB are mapped from the system and returned on free, and the heap is
/// trimmed, so that every step takes page faults on fresh memory (a QM9 SVGD step: 14 ms, of which
/// about 4 are page faults; docs/results.md). The process keeps freed memory for reuse instead.
void keep_freed_memory() {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest allowed threshold on 64-bit
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  return esvgd::cli::main(argc, argv, std::cout, std::cerr);
}
