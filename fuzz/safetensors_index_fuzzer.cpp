// io/safetensors Checkpoint: a sharded checkpoint's model.safetensors.index.json (weight_map:
// tensor → shard file), read from a folder that holds two real shards, then every tensor loaded.
#include "adalora/io/safetensors.h"
#include "fuzz/fuzz_input.h"

namespace {
// Two small valid shards beside the index, written once (names as HF's save_pretrained writes them).
void write_shards_once() {
  static const bool done = [] {
    using namespace adalora;
    io::save_safetensors((adalora::fuzz::scratch_dir() / "model-00001-of-00002.safetensors").string(),
                         {{"a.weight", torch::arange(6, torch::kFloat32).reshape({2, 3})}});
    io::save_safetensors((adalora::fuzz::scratch_dir() / "model-00002-of-00002.safetensors").string(),
                         {{"b.bias", torch::ones({4}, torch::kFloat16)}, {"c", torch::zeros({0}, torch::kInt64)}});
    return true;
  }();
  (void)done;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  write_shards_once();
  fuzz::write_file(fuzz::as_text(data, size), "model.safetensors.index.json");
  fuzz::parses_or_refuses([&] {
    const io::Checkpoint ckpt = io::Checkpoint::open(fuzz::scratch_dir().string());
    for (const std::string& name : ckpt.names()) {
      (void)ckpt.file_of(name);
      (void)ckpt.load(name, torch::kFloat64).sum();
    }
  });
  return 0;
}
