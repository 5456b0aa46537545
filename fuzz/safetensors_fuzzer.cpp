// io/safetensors: header length, header JSON, dtypes, shapes, data offsets, then every tensor read
// (as a view and as a converted copy).
#include "adalora/io/safetensors.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const std::string path = fuzz::write_file(fuzz::as_text(data, size), "model.safetensors");
  fuzz::parses_or_refuses([&] {
    const io::SafetensorsFile file = io::SafetensorsFile::open(path);
    for (const std::string& name : file.names()) {
      (void)file.view(name).sum();
      (void)file.load(name, torch::kFloat64).sum();
    }
  });
  return 0;
}
