// How many tokens per second do our tokenizers encode, on one thread and with encode_batch on every
// core? For each golden tokenizer (../shared/golden/tokenizers: bert_uncased WordPiece, gpt2
// byte-level BPE, xlmr_unigram Unigram; tokenizer.json path) on a multi-MB text built by repeating
// and perturbing the golden test strings (Unicode, whitespace runs, code, emoji, CJK). First
// validates that the batch output equals the sequential one, then times; one JSON line per
// configuration with the median and spread over repeats. Also a SentencePiece BPE .model
// (tests/fixtures/tokenizers/spm_bpe/llama_like.model) on the same documents, and on one text of
// 10 KB, 100 KB and 1 MB (SentencePiece encodes a text as one word: time per byte must stay flat).
//   tokenizer_bench [--golden DIR] [--mb 4] [--repeats 5] [--threads N]
// DIR defaults to $ADALORA_GOLDEN_DIR, else <repository>/../shared/golden.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adalora/core/error.h"
#include "adalora/tokenizers/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using adalora::tokenizers::Encoding;
using adalora::tokenizers::Tokenizer;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) throw adalora::Error(path.string() + ": cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every golden test string of every folder: cases.inp (llama.cpp's separator format) or cases.json.
std::vector<std::string> golden_strings(const fs::path& dir) {
  std::vector<std::string> out;
  for (const char* folder : {"bert_uncased", "gpt2", "xlmr_unigram"}) {
    const fs::path d = dir / folder;
    if (fs::exists(d / "cases.json")) {
      for (const auto& t : nlohmann::json::parse(read_all(d / "cases.json")).at("texts")) {
        out.push_back(t.get<std::string>());
      }
    } else if (fs::exists(d / "cases.inp")) {
      const std::string inp = read_all(d / "cases.inp");
      const std::string sep = "\n__ggml_vocab_test__\n";
      for (size_t at = 0; at < inp.size();) {
        const size_t next = inp.find(sep, at);
        out.push_back(inp.substr(at, next == std::string::npos ? std::string::npos : next - at));
        if (next == std::string::npos) break;
        at = next + sep.size();
      }
    }
  }
  return out;
}

// Documents of ~2 KB until `bytes` in total: golden strings drawn by a fixed LCG, with a counter
// or a swapped word now and then so that repeats are not byte-identical.
std::vector<std::string> build_corpus(const std::vector<std::string>& strings, size_t bytes) {
  std::vector<std::string> docs;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  size_t total = 0;
  while (total < bytes) {
    // A stream rather than string appends: GCC 12 -Warray-bounds misfires on the latter.
    std::ostringstream doc;
    while (static_cast<size_t>(doc.tellp()) < 2048) {
      const std::string& s = strings[next() % strings.size()];
      switch (next() % 4) {
        case 0:
          doc << s << ' ' << next() % 100000;
          break;
        case 1:
          doc << "Paragraph " << docs.size() << ": " << s;
          break;
        case 2: {
          const size_t space = s.find(' ');
          if (space == std::string::npos) {
            doc << s;
          } else {
            doc << std::string_view(s).substr(space + 1) << ' '
                << std::string_view(s).substr(0, space);
          }
          break;
        }
        default:
          doc << s;
          break;
      }
      doc << (next() % 3 == 0 ? '\n' : ' ');
    }
    docs.push_back(doc.str());
    total += docs.back().size();
  }
  return docs;
}

size_t count_tokens(const std::vector<Encoding>& encodings) {
  size_t n = 0;
  for (const auto& e : encodings) n += e.size();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string golden;
    if (const char* env = std::getenv("ADALORA_GOLDEN_DIR")) golden = env;
    const fs::path repo = fs::path(__FILE__).parent_path().parent_path();
    if (golden.empty()) golden = (repo / ".." / "shared" / "golden").string();
    double mb = 4.0;
    int repeats = 5;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 1; i + 1 < argc; i += 2) {
      const std::string flag = argv[i];
      if (flag == "--golden") {
        golden = argv[i + 1];
      } else if (flag == "--mb") {
        mb = std::stod(argv[i + 1]);
      } else if (flag == "--repeats") {
        repeats = std::max(1, std::stoi(argv[i + 1]));
      } else if (flag == "--threads") {
        threads = std::max(1, std::stoi(argv[i + 1]));
      } else {
        throw adalora::Error("tokenizer_bench: unknown flag " + flag +
                             " (expected --golden DIR, --mb N, --repeats N, --threads N)");
      }
    }
    const fs::path dir = fs::path(golden) / "tokenizers";
    if (!fs::exists(dir))
      throw adalora::Error(dir.string() + ": golden tokenizers not found (set ADALORA_GOLDEN_DIR)");
    const auto docs = build_corpus(golden_strings(dir), static_cast<size_t>(mb * 1024 * 1024));
    size_t bytes = 0;
    for (const auto& d : docs) bytes += d.size();

    auto bench = [&](const std::string& folder, const Tokenizer& t) {
      // Validate: the parallel batch equals the sequential one, id for id.
      const auto sequential = t.encode_batch(docs, false, std::nullopt, 1);
      const auto parallel = t.encode_batch(docs, false, std::nullopt, threads);
      for (size_t i = 0; i < docs.size(); ++i) {
        if (sequential[i].ids != parallel[i].ids || sequential[i].offsets != parallel[i].offsets) {
          throw adalora::Error(folder + ": encode_batch on " +
                               std::to_string(threads) +
                               " threads differs from sequential at document " + std::to_string(i));
        }
      }
      const size_t tokens = count_tokens(sequential);
      for (int n : {1, threads}) {
        std::vector<double> seconds;
        for (int r = 0; r < repeats; ++r) {
          const auto start = std::chrono::steady_clock::now();
          const auto out = t.encode_batch(docs, false, std::nullopt, n);
          seconds.push_back(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
          if (count_tokens(out) != tokens)
            throw adalora::Error(folder + ": token count changed");
        }
        std::sort(seconds.begin(), seconds.end());
        const double median = seconds[seconds.size() / 2];
        nlohmann::json line = {
            {"bench", "tokenizer"},
            {"tokenizer", folder},
            {"mode", n == 1 ? "sequential" : "encode_batch"},
            {"threads", n},
            {"documents", docs.size()},
            {"megabytes", static_cast<double>(bytes) / (1024.0 * 1024.0)},
            {"tokens", tokens},
            {"repeats", repeats},
            {"median_s", median},
            {"min_s", seconds.front()},
            {"max_s", seconds.back()},
            {"median_tokens_per_s", static_cast<double>(tokens) / median},
            {"spread_tokens_per_s",
             {static_cast<double>(tokens) / seconds.back(),
              static_cast<double>(tokens) / seconds.front()}},
            {"median_mb_per_s", static_cast<double>(bytes) / (1024.0 * 1024.0) / median}};
        std::cout << line.dump() << std::endl;
        if (n == threads) break;  // threads == 1: one configuration
      }
    };
    for (const char* folder : {"bert_uncased", "gpt2", "xlmr_unigram"}) {
      bench(folder, Tokenizer::from_file((dir / folder / "tokenizer.json").string()));
    }
    // SentencePiece BPE from a .model file (LLaMA's settings, tests/fixtures/tokenizers/spm_bpe).
    const fs::path spm_model = repo / "tests/fixtures/tokenizers/spm_bpe/llama_like.model";
    const Tokenizer spm = Tokenizer::from_dir(spm_model.string());
    bench("spm_bpe_llama_like", spm);
    // SentencePiece does not split BPE input into words: one text is one merge problem, which the
    // priority queue over adjacent pairs solves in O(n log n). Time per character must stay flat.
    std::string text;
    for (const auto& d : docs) text += d;
    for (size_t chars : {size_t{10000}, size_t{100000}, size_t{1000000}}) {
      if (chars > text.size()) break;
      const std::string slice = text.substr(0, chars);
      const auto start = std::chrono::steady_clock::now();
      const size_t tokens = spm.encode(slice, false).size();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << nlohmann::json{{"bench", "tokenizer"}, {"tokenizer", "spm_bpe_llama_like"}, {"mode", "one_text"},
                                  {"bytes", chars}, {"tokens", tokens}, {"seconds", s},
                                  {"ns_per_byte", s * 1e9 / static_cast<double>(chars)}}
                       .dump()
                << std::endl;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tokenizer_bench: " << e.what() << "\n";
    return 1;
  }
}
