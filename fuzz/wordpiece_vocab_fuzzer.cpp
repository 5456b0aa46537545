// tokenizers/legacy: a BERT vocab.txt (one token per line) and, after a NUL byte, the
// tokenizer_config.json beside it (do_lower_case, strip_accents, cls/sep/unk tokens), then an
// encode, a pair encode and a decode through the WordPiece pipeline they build.
#include <filesystem>

#include "adalora/tokenizers/legacy.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/split_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adalora;
  const auto parts = fuzz::split_parts(fuzz::as_text(data, size), 2);
  const std::string vocab = fuzz::write_file(parts[0], "vocab.txt");
  const auto config = fuzz::scratch_dir() / "tokenizer_config.json";
  if (parts.size() > 1) fuzz::write_file(parts[1], "tokenizer_config.json");
  else std::filesystem::remove(config);
  fuzz::parses_or_refuses([&] {
    const tokenizers::Tokenizer tok = tokenizers::load_legacy(vocab);
    const auto enc = tok.encode("Hello, wörld! 日本語  tabs\tand [MASK] ##x 123", true);
    tokenizers::TruncationOptions truncation;
    truncation.max_length = 8;
    (void)tok.encode_pair("a question?", "Some longer context, with ünïcode.", true, truncation);
    (void)tok.decode(enc.ids, true);
  });
  return 0;
}
