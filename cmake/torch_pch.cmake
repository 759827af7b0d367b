# esvgd_torch_pch(target): precompiles <torch/torch.h> for the sources of `target` that include it
# themselves, and for no other. Loading the ~570 MB precompiled image costs more than a source that
# needs no LibTorch takes to compile on its own (src/core/config.cpp: 21.5 s with the image, 7.9 s
# without; docs/results.md, "Build times from a fresh clone").
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
  target_precompile_headers(${target} PRIVATE <torch/torch.h>)
endfunction()
