// data/glue: a GLUE TSV file of one of the eight tasks (the first byte picks the task).
#include "adalora/data/glue.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  if (size == 0) return 0;
  const auto& layouts = data::glue_layouts();
  const std::string& task = layouts[data[0] % layouts.size()].task;
  const std::string path = fuzz::write_file(fuzz::as_text(data + 1, size - 1), "dev.tsv");
  fuzz::parses_or_refuses([&] { data::read_glue_tsv(path, task); });
  return 0;
}
