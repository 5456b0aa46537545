// tokenizers: a SentencePiece .model (our protobuf wire-format reader, then the Unigram or BPE
// pipeline legacy.h builds from it, precompiled charsmap included), encoded and decoded once.
#include "adalora/tokenizers/legacy.h"
#include "adalora/tokenizers/sentencepiece_proto.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const std::string_view bytes = fuzz::as_text(data, size);
  fuzz::parses_or_refuses([&] { tokenizers::read_sentencepiece_proto(bytes, "fuzz.model"); });
  const std::string path = fuzz::write_file(bytes, "spiece.model");
  fuzz::parses_or_refuses([&] {
    const tokenizers::Tokenizer tok = tokenizers::load_legacy(path);
    const auto enc = tok.encode("Hello, wörld! 日本語  x\ty 123", true);
    (void)tok.decode(enc.ids, false);
  });
  return 0;
}
