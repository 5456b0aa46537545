// io/json: load_json_file (nesting bound, then nlohmann) and the field-checked accessors.
#include "adalora/io/json.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const std::string path = fuzz::write_file(fuzz::as_text(data, size), "input.json");
  fuzz::parses_or_refuses([&] {
    const io::Json json = io::load_json_file(path);
    if (!json.is_object()) return;
    const io::JsonObject o(json, path);
    for (const auto& item : json.items()) {
      const std::string key = item.key();
      fuzz::parses_or_refuses([&] { o.get<int64_t>(key); });
      fuzz::parses_or_refuses([&] { o.get<double>(key); });
      fuzz::parses_or_refuses([&] { o.get<std::string>(key); });
      fuzz::parses_or_refuses([&] { o.get<bool>(key); });
      fuzz::parses_or_refuses([&] { o.object(key).has("x"); });
    }
  });
  return 0;
}
