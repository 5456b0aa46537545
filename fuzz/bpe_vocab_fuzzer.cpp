// tokenizers/legacy: a byte-level BPE vocab.json, merges.txt and tokenizer_config.json (the three
// files separated by NUL bytes; see split_input.h), then an encode, a pair encode and a decode
// through the GPT-2 or RoBERTa pipeline they build.
#include <filesystem>

#include "adalora/tokenizers/legacy.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/split_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const auto parts = fuzz::split_parts(fuzz::as_text(data, size), 3);
  const std::string vocab = fuzz::write_file(parts[0], "vocab.json");
  const char* const others[] = {"merges.txt", "tokenizer_config.json"};
  for (size_t i = 0; i < 2; ++i) {
    if (parts.size() > i + 1) fuzz::write_file(parts[i + 1], others[i]);
    else std::filesystem::remove(fuzz::scratch_dir() / others[i]);
  }
  fuzz::parses_or_refuses([&] {
    const tokenizers::Tokenizer tok = tokenizers::load_legacy(vocab);
    const auto enc = tok.encode("Hello, wörld! 日本語  tabs\tand <mask> <|endoftext|> 123", true);
    tokenizers::TruncationOptions truncation;
    truncation.max_length = 8;
    (void)tok.encode_pair("a question?", "Some longer context, with ünïcode.", true, truncation);
    (void)tok.decode(enc.ids, true);
  });
  return 0;
}
