// The learned parameters of a Punkt sentence splitter (nltk.tokenize.punkt.PunktParameters), read
// from nltk_data's `punkt_tab` text format: abbrev_types.txt and sent_starters.txt (one type a
// line), collocations.tab (`first<TAB>second` a line), ortho_context.tab (`type<TAB>flags` a line).
// Lines are taken verbatim (no strip), as they were in the pickled parameters they were written
// from.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace adalora::metrics {

struct PunktParameters {
  std::unordered_set<std::u32string> abbrev_types;  ///< lower case, without the final period
  std::set<std::pair<std::u32string, std::u32string>> collocations;
  std::unordered_set<std::u32string> sent_starters;
  std::unordered_map<std::u32string, int> ortho_context;  ///< type → _ORTHO_* flags; missing = 0

  /// Parses the four files' contents; `source` names them in errors (a bad line → adalora::Error
  /// naming file and line).
  static PunktParameters from_tab(std::string_view abbrev_types, std::string_view collocations,
                                  std::string_view sent_starters, std::string_view ortho_context,
                                  const std::string& source);
  /// Reads `<dir>/abbrev_types.txt`, … (a missing file → adalora::Error).
  static PunktParameters from_dir(const std::string& dir);
};

/// NLTK's pretrained English parameters (nltk_data punkt_tab/english, data/punkt_tab/english),
/// compiled into the library (punkt_english_data.cpp); parsed once.
const PunktParameters& english_punkt_parameters();

}  // namespace adalora::metrics
