# Helpers that keep every CMakeLists.txt one line per target.

set(ADALORA_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter)

# One precompiled <torch/torch.h> shared by every target that includes LibTorch: a torch
# translation unit costs ~18 s on 2 cores without it.
add_library(adalora_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch.cpp)
target_link_libraries(adalora_pch PUBLIC torch nlohmann_json::nlohmann_json)
target_compile_options(adalora_pch PRIVATE ${ADALORA_WARNINGS})
target_precompile_headers(adalora_pch PRIVATE <torch/torch.h> <nlohmann/json.hpp>)

function(adalora_use_pch target)
  target_precompile_headers(${target} REUSE_FROM adalora_pch)
endfunction()

# adalora_add_layer(<folder> [RECURSE] [TORCH] DEPS <targets...>)
# Builds src/adalora/<folder>/*.cpp into the static library adalora_<folder>.
function(adalora_add_layer folder)
  cmake_parse_arguments(ARG "RECURSE;TORCH" "" "DEPS" ${ARGN})
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
    if(ARG_TORCH)
      target_link_libraries(${target} PUBLIC torch)
      adalora_use_pch(${target})
    endif()
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# adalora_add_test(<name> LABEL <label> SOURCES <files...> DEPS <targets...>)
function(adalora_add_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_SOURCES)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE adalora_test_support ${ARG_DEPS} GTest::gtest GTest::gmock)
  target_compile_options(${name} PRIVATE ${ADALORA_WARNINGS})
  adalora_use_pch(${name})
  gtest_discover_tests(${name}
    PROPERTIES LABELS ${ARG_LABEL}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60)
endfunction()

# adalora_add_bench(<name> SOURCES <files...> DEPS <targets...>)
function(adalora_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE ${ADALORA_WARNINGS})
  adalora_use_pch(${name})
endfunction()
