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
  # ASan's instrumentation makes GCC 12 report LibTorch's c10::optional<Generator> copies (inlined
  # from TensorBody.h into nn/linear.cpp, nn/init.cpp) as maybe-uninitialized: false positives that
  # -Werror would turn into a failed build. The normal build keeps the warning.
  add_compile_options(-Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()
