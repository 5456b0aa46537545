// NLTK's Punkt sentence splitter at inference: `PunktSentenceTokenizer.tokenize(text)` (NLTK 3.8
// and 3.9 alike; nltk/tokenize/punkt.py), which `nltk.sent_tokenize(text)` runs with the pretrained
// English parameters. Followed step by step, on code points (Python str indices):
//   _match_potential_end_contexts: every '.', '?' or '!' followed by a non-word punctuation mark or
//   by
//     whitespace and a token, with the word before it (found back to the last ASCII whitespace);
//   text_contains_sentbreak on each context: word tokenization (PunktLanguageVars.word_tokenize),
//     first pass (sentence-end marks, ellipses, known abbreviations, other period-final words),
//     second pass (collocations, orthographic heuristic, frequent sentence starters, initials and
//     numbers);
//   _slices_from_text and _realign_boundaries (closing quotes and brackets stay with the sentence).
// Python's Unicode semantics (\s, \w, \d, str.lower/isupper/islower/strip) come from ICU
// (metrics/python_text.h). tests/unit/metrics/punkt_test.cpp compares it with NLTK on a fixture.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adalora/metrics/punkt_parameters.h"

namespace adalora::metrics {

/// nltk.sent_tokenize(text): the sentences of UTF-8 `text`, each a substring of it.
std::vector<std::string> punkt_sentences(
    std::string_view text, const PunktParameters& params = english_punkt_parameters());

/// What HF's summarization examples (run_summarization.py, postprocess_text) feed ROUGE-Lsum:
/// `"\n".join(nltk.sent_tokenize(text.strip()))`.
std::string split_sentences_for_rouge_lsum(std::string_view text);

}  // namespace adalora::metrics
