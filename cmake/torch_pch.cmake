# esvgd_torch_pch(target [more headers...]): precompiles <torch/torch.h> (and the headers given) for
# the sources of `target` that include <torch/torch.h> themselves, and for no other. Loading the
# ~570 MB precompiled image costs more than a source that needs no LibTorch takes to compile on its
# own (src/core/config.cpp: 6.7 s alone, 37 s with the image; docs/results.md, "Build times").
function(esvgd_torch_pch target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  foreach(source ${sources})
    get_filename_component(path ${source} ABSOLUTE BASE_DIR ${source_dir})
    file(STRINGS ${path} includes_torch REGEX "^#include <torch/torch\\.h>")
    if(NOT includes_torch)
      set_source_files_properties(${source} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
  target_precompile_headers(${target} PRIVATE <torch/torch.h> ${ARGN})
endfunction()
