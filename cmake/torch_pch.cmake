# esvgd_torch_pch(target): precompiles <torch/types.h> (tensors, their operators and factories) for
# the sources of `target` that include a LibTorch header themselves, and for no other. The sources
# include only the LibTorch headers they use (nn modules, optimisers, archives come on top of the
# image); a source that needs no LibTorch compiles faster without loading any image (docs/results.md,
# "Build times from a fresh clone").
function(esvgd_torch_pch target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  foreach(source ${sources})
    get_filename_component(path ${source} ABSOLUTE BASE_DIR ${source_dir})
    file(STRINGS ${path} includes_torch REGEX "^#include <(torch|ATen)/")
    # An image is valid only under the flags it was built with (GCC rejects it, with a warning, for
    # a source compiled with -fno-math-errno, say).
    get_source_file_property(own_options ${path} COMPILE_OPTIONS)
    if(NOT includes_torch OR own_options)
      set_source_files_properties(${source} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
  target_precompile_headers(${target} PRIVATE <torch/types.h>)
endfunction()

# esvgd_unity_build(target): with ESVGD_UNITY_BUILD, compiles the target's sources in batches of 8
# (CMake's unity build), so that each batch loads the precompiled image once: loading it costs
# 2.5 s per source, whatever the source (docs/results.md, "Build times from a fresh clone"). Sources
# with their own flags compile alone (CMake leaves them out of the batches). A batch is one
# translation unit: names in the anonymous namespaces of the sources must differ.
function(esvgd_unity_build target)
  if(ESVGD_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()
