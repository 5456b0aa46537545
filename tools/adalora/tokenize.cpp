// `adalora tokenize`: the debugging tool for "what ids does my model actually see?". Reads lines
// from stdin (with --pair, two tab-separated texts per line) and writes one JSON object per line
// with ids, tokens, offsets (code points) and, for pairs, type_ids. The format is
// tokenizers/encoding_json.h; a bad line stops with an error naming stdin:<line>.
#include <iostream>
#include <string>

#include "adalora/tokenizers/encoding_json.h"
#include "adalora/tokenizers/tokenizer.h"
#include "tools/adalora/command.h"

namespace adalora::cli {

Command tokenize_command() {
  return {
      "tokenize", "Tokenize stdin lines with a HF tokenizer; one JSON object per line",
      [](CLI::App& app) {
        auto path = std::make_shared<std::string>();
        auto options = std::make_shared<tokenizers::TokenizeLineOptions>();
        app.add_option("--tokenizer", *path,
                       "Model folder (tokenizer.json, vocab.txt, vocab.json + merges.txt, *.model) "
                       "or a file")
            ->required();
        app.add_flag("--pair", options->pair,
                     "Each line is two tab-separated texts (A, B); adds type_ids");
        app.add_flag(
            "--special", options->add_special_tokens,
            "Add the special tokens of the tokenizer's template ([CLS] ... [SEP], <s> ... </s>)");
        return [=] {
          const auto tokenizer = tokenizers::Tokenizer::from_dir(*path);
          std::string line;
          for (size_t number = 1; std::getline(std::cin, line); ++number) {
            std::cout << tokenizers::tokenize_line(tokenizer, line, *options,
                                                   "stdin:" + std::to_string(number))
                      << '\n';
          }
          return 0;
        };
      }};
}

}  // namespace adalora::cli
