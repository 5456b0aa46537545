// data/squad: a SQuAD v1.1/v2.0 JSON file (articles, paragraphs, questions, answer spans).
#include "adalora/data/squad.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const std::string path = fuzz::write_file(fuzz::as_text(data, size), "dev.json");
  fuzz::parses_or_refuses([&] { data::read_squad_file(path); });
  return 0;
}
