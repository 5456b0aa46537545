// Shared pieces of the end-to-end tests: running the built `adalora` binary (ADALORA_CLI_PATH) and
// writing a tiny BERT folder with a learnable sentiment-like task.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "adalora/io/json.h"

namespace adalora::testing {

struct CliRun {
  int code;            ///< exit status (−1 when killed by a signal)
  std::string output;  ///< stdout and stderr interleaved
};

/// Runs `adalora <args>` through the shell, with `assignments` ("NAME=value ...", may be empty)
/// in its environment, and collects its output and exit code.
inline CliRun run_cli_env(const std::string& assignments, const std::string& args) {
  const std::string cmd = assignments + " " + std::string(ADALORA_CLI_PATH) + " " + args + " 2>&1";
  CliRun r{0, ""};
  FILE* pipe = popen(cmd.c_str(), "r");
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Runs `adalora <args>` through the shell and collects its output and exit code.
inline CliRun run_cli(const std::string& args) { return run_cli_env("", args); }

/// The last line of `output` that parses as a JSON object.
inline io::Json last_json_line(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  io::Json found;
  while (std::getline(in, line)) {
    if (!line.empty() && line.front() == '{') found = io::Json::parse(line);
  }
  return found;
}

/// Shape of the synthetic task written by write_tiny_sentiment_task.
struct TinyTaskSpec {
  unsigned seed = 7;       ///< generator of the texts and labels
  int train_rows = 96;
  int dev_rows = 32;
  int filler_words = 5;    ///< neutral words before the one sentiment word of each text
};

/// Writes `dir`/model (tiny-bert from `init-model --seed 3` plus a 100-token WordPiece vocab.txt)
/// and `dir`/{train,dev}.jsonl, where the label is given by the one sentiment word of each text.
/// Returns the init-model run (check its code).
inline CliRun write_tiny_sentiment_task(const std::string& dir, const TinyTaskSpec& spec) {
  const std::string model = dir + "/model";
  CliRun r = run_cli("init-model --arch tiny-bert --out " + model + " --seed 3");
  if (r.code != 0) return r;
  const std::vector<std::string> words = {"the", "a",   "movie", "film", "plot", "is",    "was",   "very",
                                          "and", "but", "good",  "great", "fun", "bad", "awful", "boring"};
  std::ofstream vocab(model + "/vocab.txt");
  for (const char* s : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) vocab << s << "\n";
  for (const auto& w : words) vocab << w << "\n";
  for (size_t i = 5 + words.size(); i < 100; ++i) vocab << "w" << i << "\n";
  vocab.close();
  std::mt19937 rng(spec.seed);
  for (const auto& [file, n] : {std::pair<std::string, int>{"train.jsonl", spec.train_rows}, {"dev.jsonl", spec.dev_rows}}) {
    std::ofstream out(dir + "/" + file);
    for (int i = 0; i < n; ++i) {
      const bool pos = rng() % 2 == 0;
      std::string text;
      for (int k = 0; k < spec.filler_words; ++k) text += words[rng() % 10] + " ";
      text += words[pos ? 10 + rng() % 3 : 13 + rng() % 3];
      out << io::Json({{"text", text}, {"label", pos ? "pos" : "neg"}}).dump() << "\n";
    }
  }
  return r;
}

}  // namespace adalora::testing
