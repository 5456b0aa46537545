// The Porter stemmer as NLTK's `PorterStemmer()` runs it in its default NLTK_EXTENSIONS mode
// (nltk/stem/porter.py, same logic 2020–2024): Porter (1980) plus Martin Porter's extensions and
// NLTK's own (an irregular-forms table: sky/skies, dying, lying, tying, news, innings, outings,
// cannings, howe, proceed, exceed, succeed; 4-letter -ies/-ied → -ie; y → i only after a
// consonant; alli → al first; logi → log; words of ≤ 2 letters unchanged). It is what Google's
// rouge_score applies with use_stemmer=True. Input: one lower-case ASCII token.
#pragma once

#include <string>

namespace adalora::metrics {

/// NLTK PorterStemmer().stem(word) for a lower-case ASCII word.
std::string porter_stem(const std::string& word);

}  // namespace adalora::metrics
