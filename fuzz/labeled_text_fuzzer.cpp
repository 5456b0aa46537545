// data/labeled_text: a JSONL or CSV dataset (the first byte picks the format and whether the labels
// are regression targets or class names).
#include "adalora/data/labeled_text.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  if (size == 0) return 0;
  const bool csv = data[0] & 1;
  const bool regression = data[0] & 2;
  const std::string path = fuzz::write_file(fuzz::as_text(data + 1, size - 1), csv ? "train.csv" : "train.jsonl");
  fuzz::parses_or_refuses([&] { data::read_labeled_file(path, regression); });
  return 0;
}
