// NLTK's Porter stemmer, NLTK_EXTENSIONS mode (see porter_stemmer.h). Each step keeps the
// structure of porter.py: an ordered rule list where the first matching suffix decides, whether or
// not its condition holds.
#include "adalora/metrics/porter_stemmer.h"

#include <functional>
#include <map>
#include <vector>

namespace adalora::metrics {
namespace {

bool ends_with(const std::string& word, const std::string& suffix) {
  return word.size() >= suffix.size() &&
         word.compare(word.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string drop_suffix(const std::string& word, size_t n) { return word.substr(0, word.size() - n); }

bool is_consonant(const std::string& word, size_t i) {
  const char c = word[i];
  if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') return false;
  if (c == 'y') return i == 0 ? true : !is_consonant(word, i - 1);
  return true;
}

// m in [C](VC){m}[V]: the number of vowel→consonant transitions.
int measure(const std::string& stem) {
  int m = 0;
  for (size_t i = 1; i < stem.size(); ++i) {
    if (!is_consonant(stem, i - 1) && is_consonant(stem, i)) ++m;
  }
  return m;
}

bool contains_vowel(const std::string& stem) {
  for (size_t i = 0; i < stem.size(); ++i) {
    if (!is_consonant(stem, i)) return true;
  }
  return false;
}

// *d
bool ends_double_consonant(const std::string& word) {
  const size_t n = word.size();
  return n >= 2 && word[n - 1] == word[n - 2] && is_consonant(word, n - 1);
}

// *o, with NLTK's extension for two-letter stems (vc).
bool ends_cvc(const std::string& word) {
  const size_t n = word.size();
  if (n >= 3 && is_consonant(word, n - 3) && !is_consonant(word, n - 2) &&
      is_consonant(word, n - 1) && word[n - 1] != 'w' && word[n - 1] != 'x' && word[n - 1] != 'y') {
    return true;
  }
  return n == 2 && !is_consonant(word, 0) && is_consonant(word, 1);
}

using Condition = std::function<bool(const std::string& stem)>;
struct Rule {
  std::string suffix;  // "*d": a double consonant
  std::string replacement;
  Condition condition;  // empty: unconditional
};

// porter.py _apply_rule_list: the first rule whose suffix matches decides.
std::string apply_rules(const std::string& word, const std::vector<Rule>& rules) {
  for (const auto& rule : rules) {
    if (rule.suffix == "*d" && ends_double_consonant(word)) {
      const std::string stem = drop_suffix(word, 2);
      return !rule.condition || rule.condition(stem) ? stem + rule.replacement : word;
    }
    if (ends_with(word, rule.suffix)) {
      const std::string stem = drop_suffix(word, rule.suffix.size());
      return !rule.condition || rule.condition(stem) ? stem + rule.replacement : word;
    }
  }
  return word;
}

bool positive_measure(const std::string& stem) { return measure(stem) > 0; }

std::string step1a(const std::string& word) {
  if (ends_with(word, "ies") && word.size() == 4) return drop_suffix(word, 3) + "ie";
  return apply_rules(word, {{"sses", "ss", {}}, {"ies", "i", {}}, {"ss", "ss", {}}, {"s", "", {}}});
}

std::string step1b(const std::string& word) {
  if (ends_with(word, "ied")) return drop_suffix(word, 3) + (word.size() == 4 ? "ie" : "i");
  if (ends_with(word, "eed")) {
    const std::string stem = drop_suffix(word, 3);
    return measure(stem) > 0 ? stem + "ee" : word;
  }
  std::string stem;
  bool removed = false;
  for (const std::string suffix : {"ed", "ing"}) {
    if (ends_with(word, suffix)) {
      stem = drop_suffix(word, suffix.size());
      if (contains_vowel(stem)) {
        removed = true;
        break;
      }
    }
  }
  if (!removed) return word;
  const char last = stem.back();
  return apply_rules(
      stem, {{"at", "ate", {}},
             {"bl", "ble", {}},
             {"iz", "ize", {}},
             {"*d", std::string(1, last),
              [last](const std::string&) { return last != 'l' && last != 's' && last != 'z'; }},
             {"", "e", [](const std::string& s) { return measure(s) == 1 && ends_cvc(s); }}});
}

std::string step1c(const std::string& word) {
  return apply_rules(word, {{"y", "i", [](const std::string& s) {
                               return s.size() > 1 && is_consonant(s, s.size() - 1);
                             }}});
}

std::string step2(const std::string& word) {
  if (ends_with(word, "alli") && positive_measure(drop_suffix(word, 4))) {
    return step2(drop_suffix(word, 4) + "al");
  }
  const Condition m0 = positive_measure;
  return apply_rules(
      word, {{"ational", "ate", m0}, {"tional", "tion", m0}, {"enci", "ence", m0},
             {"anci", "ance", m0},   {"izer", "ize", m0},    {"bli", "ble", m0},
             {"alli", "al", m0},     {"entli", "ent", m0},   {"eli", "e", m0},
             {"ousli", "ous", m0},   {"ization", "ize", m0}, {"ation", "ate", m0},
             {"ator", "ate", m0},    {"alism", "al", m0},    {"iveness", "ive", m0},
             {"fulness", "ful", m0}, {"ousness", "ous", m0}, {"aliti", "al", m0},
             {"iviti", "ive", m0},   {"biliti", "ble", m0},  {"fulli", "ful", m0},
             // The 'l' of logi stays with the stem, so short stems (geo-, theo-) qualify.
             {"logi", "log", [&word](const std::string&) {
                return positive_measure(drop_suffix(word, 3));
              }}});
}

std::string step3(const std::string& word) {
  const Condition m0 = positive_measure;
  return apply_rules(word, {{"icate", "ic", m0}, {"ative", "", m0}, {"alize", "al", m0},
                            {"iciti", "ic", m0}, {"ical", "ic", m0}, {"ful", "", m0},
                            {"ness", "", m0}});
}

std::string step4(const std::string& word) {
  const Condition m1 = [](const std::string& s) { return measure(s) > 1; };
  return apply_rules(
      word, {{"al", "", m1},   {"ance", "", m1}, {"ence", "", m1}, {"er", "", m1},
             {"ic", "", m1},   {"able", "", m1}, {"ible", "", m1}, {"ant", "", m1},
             {"ement", "", m1}, {"ment", "", m1}, {"ent", "", m1},
             {"ion", "", [](const std::string& s) {
                return measure(s) > 1 && (s.back() == 's' || s.back() == 't');
              }},
             {"ou", "", m1},   {"ism", "", m1},  {"ate", "", m1},  {"iti", "", m1},
             {"ous", "", m1},  {"ive", "", m1},  {"ize", "", m1}});
}

std::string step5a(const std::string& word) {
  if (ends_with(word, "e")) {
    const std::string stem = drop_suffix(word, 1);
    if (measure(stem) > 1) return stem;
    if (measure(stem) == 1 && !ends_cvc(stem)) return stem;
  }
  return word;
}

std::string step5b(const std::string& word) {
  return apply_rules(word, {{"ll", "l", [&word](const std::string&) {
                               return measure(drop_suffix(word, 1)) > 1;
                             }}});
}

const std::map<std::string, std::string>& irregular_forms() {
  static const std::map<std::string, std::string> kForms = {
      {"sky", "sky"},        {"skies", "sky"},       {"dying", "die"},     {"lying", "lie"},
      {"tying", "tie"},      {"news", "news"},       {"innings", "inning"}, {"inning", "inning"},
      {"outings", "outing"}, {"outing", "outing"},   {"cannings", "canning"},
      {"canning", "canning"}, {"howe", "howe"},      {"proceed", "proceed"},
      {"exceed", "exceed"},  {"succeed", "succeed"}};
  return kForms;
}

}  // namespace

std::string porter_stem(const std::string& word) {
  const auto irregular = irregular_forms().find(word);
  if (irregular != irregular_forms().end()) return irregular->second;
  if (word.size() <= 2) return word;
  std::string stem = step1a(word);
  stem = step1b(stem);
  stem = step1c(stem);
  stem = step2(stem);
  stem = step3(stem);
  stem = step4(stem);
  stem = step5a(stem);
  return step5b(stem);
}

}  // namespace adalora::metrics
