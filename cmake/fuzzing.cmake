# ADALORA_FUZZ=ON: libFuzzer targets for every parser (fuzz/, one program per file format), built
# with clang (Debian's clang + libclang-rt-<version>-dev ship libclang_rt.fuzzer). Every target of
# ours gets coverage instrumentation plus ASan + UBSan, so the fuzzer sees the parsers' branches and
# a memory error or undefined behaviour is a finding. LibTorch stays uninstrumented.
# Configure: CC=clang CXX=clang++ cmake -B build-fuzz -DADALORA_FUZZ=ON -DADALORA_BUILD_TESTS=OFF
#            -DADALORA_BUILD_BENCH=OFF   (fuzz/run.sh does this)
option(ADALORA_FUZZ "Build the libFuzzer targets in fuzz/ (clang only)" OFF)
if(ADALORA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "ADALORA_FUZZ needs clang (libFuzzer): configure with CXX=clang++")
  endif()
  # -O1 -gline-tables-only: libFuzzer's usual trade (fast enough, symbolised reports, short builds).
  # vptr: LibTorch's classes come from an uninstrumented library (as in sanitizers.cmake).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr
                      -fno-sanitize-recover=undefined -O1 -gline-tables-only -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# adalora_add_fuzzer(<format> DEPS <targets...>): fuzz/<format>_fuzzer.cpp → fuzz_<format>.
function(adalora_add_fuzzer format)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  set(target fuzz_${format})
  add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${format}_fuzzer.cpp)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  target_compile_options(${target} PRIVATE ${ADALORA_WARNINGS})
endfunction()
