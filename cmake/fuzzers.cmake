# The libFuzzer targets of fuzz/ (issue 13): built with clang++-14 as a project of their own, and
# run by ctest for ESVGD_FUZZ_SECONDS each (label "fuzz"). Included from the top-level CMakeLists.
include(ExternalProject)

set(ESVGD_FUZZ_SECONDS 30 CACHE STRING "Seconds ctest runs each fuzzer (0: build them, add no test)")
set(ESVGD_FUZZ_MAX_LEN 65536 CACHE STRING "Largest input (bytes) the fuzzers try")

ExternalProject_Add(esvgd_fuzzers
  SOURCE_DIR ${PROJECT_SOURCE_DIR}/fuzz
  BINARY_DIR ${PROJECT_BINARY_DIR}/fuzz
  CMAKE_ARGS -DCMAKE_CXX_COMPILER=${ESVGD_FUZZ_CXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
             -DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE_PROGRAM} -DTorch_DIR=${Torch_DIR}
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON)  # the sub-build's own make decides what is out of date

# fuzzer name, then its dictionary in fuzz/dict/
set(ESVGD_FUZZERS npy:npy config_file:json config_set:json xyz_frames:xyz qm9_file:xyz idx:idx idx_gzip:idx)
if(NOT ESVGD_FUZZ_SECONDS GREATER 0)
  return()  # libFuzzer reads -max_total_time=0 as "no limit"
endif()
foreach(entry ${ESVGD_FUZZERS})
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 name)
  list(GET parts 1 dict)
  add_test(NAME fuzz_${name}
           COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/run_fuzzer.sh ${PROJECT_BINARY_DIR}/fuzz/${name}_fuzzer
                   ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name} ${PROJECT_BINARY_DIR}/fuzz-runs/${name}
                   ${ESVGD_FUZZ_SECONDS} ${ESVGD_FUZZ_MAX_LEN} ${PROJECT_SOURCE_DIR}/fuzz/dict/${dict}.dict)
  # Time to start and to load the grown corpus of earlier runs comes on top of the budget.
  math(EXPR timeout "${ESVGD_FUZZ_SECONDS} + 300")
  set_tests_properties(fuzz_${name} PROPERTIES LABELS fuzz TIMEOUT ${timeout} PROCESSORS 1)
endforeach()
