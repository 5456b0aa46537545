# ADALORA_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer on every target of ours (LibTorch
# itself stays uninstrumented). For CI's sanitizer job and for hunting memory errors; any report
# aborts the test (-fno-sanitize-recover), so a finding fails CTest. Leak checking is off in the
# test programs (tests/support/test_main.cpp): LibTorch's pools and registries live until exit.
option(ADALORA_SANITIZE "Build with ASan + UBSan (slower; for tests)" OFF)
if(ADALORA_SANITIZE)
  # vptr: LibTorch's classes come from an uninstrumented library; their type checks give false reports.
  set(ADALORA_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  add_compile_options(${ADALORA_SANITIZE_FLAGS})
  add_link_options(-fsanitize=address,undefined)
endif()
