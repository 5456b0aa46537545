# ADALORA_FUZZ=ON: libFuzzer targets for every parser (fuzz/, one program per file format), built
# with clang (Debian's clang + libclang-rt-<version>-dev ship libclang_rt.fuzzer). Every target of
# ours gets coverage instrumentation plus ASan + UBSan, so the fuzzer sees the parsers' branches and
# a memory error or undefined behaviour is a finding. LibTorch stays uninstrumented.
# Configure: CC=clang CXX=clang++ cmake -B build-fuzz -DADALORA_FUZZ=ON -DADALORA_BUILD_TESTS=OFF
#            -DADALORA_BUILD_BENCH=OFF   (fuzz/run.sh does this)
option(ADALORA_FUZZ "Build the libFuzzer targets in fuzz/ (clang only)" OFF)
# ADALORA_FUZZ_REPLAY=ON (any compiler): the same targets as plain programs fuzz_replay_<format> that
# run given inputs once each (fuzz/replay_main.cpp) — CI's sanitizer stage replays the reproducers and
# seeds with them (fuzz/replay.sh). Not with ADALORA_FUZZ (libFuzzer brings its own main).
option(ADALORA_FUZZ_REPLAY "Build fuzz_replay_<format>: the fuzz targets replaying files, no libFuzzer" OFF)
if(ADALORA_FUZZ AND ADALORA_FUZZ_REPLAY)
  message(FATAL_ERROR "ADALORA_FUZZ and ADALORA_FUZZ_REPLAY exclude each other: use two build folders")
endif()
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

# adalora_add_fuzzer(<format> DEPS <targets...>): fuzz/<format>_fuzzer.cpp → fuzz_<format> (libFuzzer),
# or fuzz_replay_<format> (ADALORA_FUZZ_REPLAY).
function(adalora_add_fuzzer format)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  if(ADALORA_FUZZ_REPLAY)
    set(target fuzz_replay_${format})
    add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${format}_fuzzer.cpp
                             ${CMAKE_CURRENT_SOURCE_DIR}/replay_main.cpp)
  else()
    set(target fuzz_${format})
    add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${format}_fuzzer.cpp)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  endif()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  target_compile_options(${target} PRIVATE ${ADALORA_WARNINGS})
endfunction()
