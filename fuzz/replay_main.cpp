// Replays fuzz inputs without libFuzzer: each argument is a file or a folder of files, and every
// file is passed once to the target's LLVMFuzzerTestOneInput. Linked with each <format>_fuzzer.cpp
// into fuzz_replay_<format> (-DADALORA_FUZZ_REPLAY=ON, any compiler), so CI's GCC sanitizer build
// runs the saved reproducers and the seed corpus through the same checks the fuzzer applies,
// without a clang build (fuzz/replay.sh). A crash is what it is under libFuzzer: a sanitizer report
// or signal aborts; an exception other than adalora::Error escaping the target is reported here.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// As in the test programs (tests/support/test_main.cpp): LibTorch's registries and pools live until
// exit, which LeakSanitizer would report at the end of every replay. (libFuzzer, which exits with
// _Exit, checks leaks per input instead; replay cannot.)
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }

namespace {

std::vector<std::filesystem::path> inputs_of(const std::filesystem::path& arg) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(arg)) {
    for (const auto& entry : std::filesystem::directory_iterator(arg)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // a stable order: a report names the same input
  } else {
    files.push_back(arg);
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
    return 2;
  }
  int64_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::filesystem::exists(argv[i])) {
      std::fprintf(stderr, "%s: %s: no such file or folder\n", argv[0], argv[i]);
      return 2;
    }
    for (const auto& file : inputs_of(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s: an exception escaped the parser: %s\n", argv[0], file.c_str(), e.what());
        return 1;
      }
      ++replayed;
    }
  }
  std::printf("replayed %lld inputs\n", static_cast<long long>(replayed));
  return 0;
}
