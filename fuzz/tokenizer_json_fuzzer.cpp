// tokenizers: a tokenizer.json (normalizer, pre-tokenizer, model, post-processor, decoder, added
// tokens), then an encode, a pair encode with truncation and a decode through what it built.
#include "adalora/tokenizers/tokenizer.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const std::string path = fuzz::write_file(fuzz::as_text(data, size), "tokenizer.json");
  fuzz::parses_or_refuses([&] {
    const tokenizers::Tokenizer tok = tokenizers::Tokenizer::from_file(path);
    const auto enc = tok.encode("Hello, wörld! 日本語  tabs\tand [MASK] <s> 123", true);
    tokenizers::TruncationOptions truncation;
    truncation.max_length = 8;
    (void)tok.encode_pair("a question?", "Some longer context, with ünïcode.", true, truncation);
    (void)tok.decode(enc.ids, true);
    (void)tok.decode(enc.ids, false);
  });
  return 0;
}
