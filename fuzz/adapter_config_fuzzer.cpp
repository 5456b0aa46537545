// peft: an adapter_config.json read as an AdaLoRA and as a LoRA config (every field PEFT saves,
// target_modules as a list or a regex, layers_to_transform, rank pattern).
#include "adalora/io/json.h"
#include "adalora/peft/adalora/config.h"
#include "adalora/peft/lora.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const std::string path = fuzz::write_file(fuzz::as_text(data, size), "adapter_config.json");
  fuzz::parses_or_refuses([&] {
    const io::Json json = io::load_json_file(path);
    fuzz::parses_or_refuses([&] { peft::AdaLoraConfig::from_peft_json(json, path).to_peft_json(); });
    fuzz::parses_or_refuses([&] { peft::LoraConfig::from_peft_json(json, path); });
  });
  return 0;
}
