# Helpers that keep every CMakeLists.txt one line per target.

set(ADALORA_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter)

# One precompiled <torch/torch.h> shared by every target that includes LibTorch: a torch
# translation unit costs ~18 s on 2 cores without it. GCC's PCH is 620 MB and loading it costs
# ~9 s of CPU per translation unit (core/blas.cpp: 10.1 s with it, 0.45 s without), so a source
# that includes no LibTorch header, directly or through our headers, is compiled without it.
add_library(adalora_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch.cpp)
target_link_libraries(adalora_pch PUBLIC torch nlohmann_json::nlohmann_json)
target_compile_options(adalora_pch PRIVATE ${ADALORA_WARNINGS})
target_precompile_headers(adalora_pch PRIVATE <torch/torch.h> <nlohmann/json.hpp>)

function(adalora_use_pch target)
  if(ADALORA_FUZZ)
    return()  # the fuzz targets' parsers are mostly torch-free: loading the PCH costs more
  endif()
  target_precompile_headers(${target} REUSE_FROM adalora_pch)
endfunction()

# The library sources of `target` that include no LibTorch are compiled without the PCH. (Only the
# libraries so far: each of their 19 such sources was compiled without it once; the tools', tests'
# and benchmarks' 30 were not all checked yet.)
function(adalora_skip_pch_where_torch_free target)
  get_target_property(srcs ${target} SOURCES)
  foreach(src ${srcs})
    adalora_includes_torch(uses_torch ${src})
    if(NOT uses_torch)
      # Outside the unity batches too: a batch is compiled with the PCH when one of its files needs it.
      set_source_files_properties(${src} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON
        SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
endfunction()

# True in `out` when `file` includes a LibTorch header (torch/, ATen/, c10/), directly or through
# the project's own headers. Only a build-time choice: a wrong answer makes a build slower, not
# wrong, so the scan is not a configure dependency. Results are cached per file.
function(adalora_includes_torch out file)
  get_filename_component(file ${file} ABSOLUTE)
  get_property(known GLOBAL PROPERTY "ADALORA_TORCH_${file}" SET)
  if(known)
    get_property(result GLOBAL PROPERTY "ADALORA_TORCH_${file}")
    set(${out} ${result} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "ADALORA_TORCH_${file}" OFF)  # guards include cycles
  set(result OFF)
  if(EXISTS ${file})
    file(STRINGS ${file} includes REGEX "^#include [<\"]")
  else()
    set(result ON)  # generated or unknown: keep the PCH
    set(includes "")
  endif()
  get_filename_component(dir ${file} DIRECTORY)
  foreach(line ${includes})
    if(line MATCHES "^#include <(torch|ATen|c10)/")
      set(result ON)
    elseif(line MATCHES "^#include [<\"]([^>\"]+)[>\"]")
      foreach(header ${dir}/${CMAKE_MATCH_1} ${PROJECT_SOURCE_DIR}/src/${CMAKE_MATCH_1}
                     ${PROJECT_SOURCE_DIR}/${CMAKE_MATCH_1})
        if(EXISTS ${header} AND NOT IS_DIRECTORY ${header})
          adalora_includes_torch(header_uses_torch ${header})
          if(header_uses_torch)
            set(result ON)
          endif()
          break()
        endif()
      endforeach()
    endif()
    if(result)
      break()
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY "ADALORA_TORCH_${file}" ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# adalora_add_layer(<folder> [RECURSE] [TORCH] [NO_UNITY] DEPS <targets...>)
# Builds src/adalora/<folder>/*.cpp into the static library adalora_<folder>. NO_UNITY: one
# translation unit per file even in a unity build (files that define the same internal names).
function(adalora_add_layer folder)
  cmake_parse_arguments(ARG "RECURSE;TORCH;NO_UNITY" "" "DEPS" ${ARGN})
  set(dir ${PROJECT_SOURCE_DIR}/src/adalora/${folder})
  if(ARG_RECURSE)
    file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${dir}/*.cpp)
  else()
    file(GLOB srcs CONFIGURE_DEPENDS ${dir}/*.cpp)
  endif()
  set(target adalora_${folder})
  if(srcs)
    add_library(${target} STATIC ${srcs})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS})
    target_compile_options(${target} PRIVATE ${ADALORA_WARNINGS})
    if(ARG_NO_UNITY)
      set_target_properties(${target} PROPERTIES UNITY_BUILD OFF)
    endif()
    if(ARG_TORCH)
      target_link_libraries(${target} PUBLIC torch)
      adalora_use_pch(${target})
      adalora_skip_pch_where_torch_free(${target})
    endif()
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# How tests become CTest entries (tests/support/suite_checks.h has the rules they enforce):
# - a test whose full name contains "Golden" reads ../shared/golden: it is never discovered, but
#   runs in one entry <exe>_golden labelled `golden`, so `ctest -L unit` needs no data;
# - every other test is discovered as its own entry with the executable's label;
# - an entry that selects no test fails (test_main), so a stale or empty list cannot pass.

# Every test process runs LibTorch on one thread: ctest -j N already runs N tests on N cores, and a
# test using the machine's thread count on top oversubscribes them — OpenMP's waiting threads spin,
# and a planted-rank test took 5 min 33 s instead of 26 s next to one other test (2 cores). The
# e2e tests' CLI processes inherit it. A test that wants more threads sets them itself.
set(ADALORA_TEST_ENVIRONMENT ADALORA_NUM_THREADS=1)

# adalora_add_golden_entry(<ctest name> <executable> [<gtest filter>])
# One entry running every selected test of the executable, whatever is on disk now; exits 77
# ("Skipped") only for a local run without the golden folder.
function(adalora_add_golden_entry entry target)
  set(filter "*")
  if(ARGC GREATER 2)
    set(filter "${ARGV2}")
  endif()
  add_test(NAME ${entry} COMMAND ${target} --gtest_filter=${filter})
  set_tests_properties(${entry} PROPERTIES LABELS golden SKIP_RETURN_CODE 77
    ENVIRONMENT "ADALORA_GOLDEN_ENTRY=1;${ADALORA_TEST_ENVIRONMENT}")
endfunction()

# True in `out` when a test or instantiation in `srcs` has "Golden" in its name. The sources are
# configure dependencies, so adding the first golden test to a file re-runs this scan.
function(adalora_mentions_golden out)
  set(found OFF)
  foreach(src ${ARGN})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
    file(READ ${src} text)
    if(text MATCHES "(TEST|TEST_F|TEST_P|INSTANTIATE_TEST_SUITE_P)\\([^)]*Golden")
      set(found ON)
    endif()
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# adalora_add_test(<name> LABEL <label> [GOLDEN_ONLY] SOURCES <files...> DEPS <targets...>)
# GOLDEN_ONLY: the whole executable is one `golden` entry (tests/golden: its cases are read from
# disk when it runs, so they cannot be discovered ahead).
function(adalora_add_test name)
  cmake_parse_arguments(ARG "GOLDEN_ONLY" "LABEL" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_SOURCES)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE adalora_test_support ${ARG_DEPS} GTest::gtest GTest::gmock)
  target_compile_options(${name} PRIVATE ${ADALORA_WARNINGS})
  adalora_use_pch(${name})
  if(ARG_GOLDEN_ONLY)
    adalora_add_golden_entry(${name} ${name})
    return()
  endif()
  gtest_discover_tests(${name}
    TEST_FILTER "-*Golden*"
    PROPERTIES LABELS ${ARG_LABEL} ENVIRONMENT "${ADALORA_TEST_ENVIRONMENT}"
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60)
  adalora_mentions_golden(has_golden ${ARG_SOURCES})
  if(has_golden)
    adalora_add_golden_entry(${name}_golden ${name} "*Golden*")
  endif()
endfunction()

# adalora_add_bench(<name> SOURCES <files...> DEPS <targets...>)
function(adalora_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE ${ADALORA_WARNINGS})
  adalora_use_pch(${name})
endfunction()
