// QA features (run_qa.py's prepare_train/validation_features) on hand-built windows of a
// word-level BERT vocabulary: [CLS] who [SEP] + 6 context words + [SEP] per window, stride 2, so a
// 10-word context "a b c … j" (word k at code points 2k..2k+1) gives windows a–f and e–j.
#include "adalora/tasks/qa_features.h"

#include <gtest/gtest.h>

#include <fstream>

#include "adalora/core/error.h"
#include "tests/support/golden.h"

namespace adalora::tasks {
namespace {

using Offset = std::optional<std::pair<int64_t, int64_t>>;

class QaFeaturesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    std::ofstream vocab(dir_->file("vocab.txt"));
    for (const char* t : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "who", "?"}) vocab << t << "\n";
    for (char c = 'a'; c <= 'j'; ++c) vocab << c << "\n";  // ids 7..16
    vocab.close();
    tokenizer_ = new tokenizers::Tokenizer(tokenizers::Tokenizer::from_dir(dir_->path()));
  }
  static void TearDownTestSuite() {
    delete tokenizer_;
    delete dir_;
  }
  static data::SquadExample example(const std::string& context, const std::string& answer,
                                    int64_t answer_start, const std::string& id = "q") {
    data::SquadExample e;
    e.id = id;
    e.question = " \twho";  // leading whitespace is stripped, as run_qa.py does
    e.context = context;
    if (!answer.empty()) e.answers.push_back({answer, answer_start});
    e.is_impossible = answer.empty();
    return e;
  }
  static std::vector<QaFeature> features(const std::vector<data::SquadExample>& examples) {
    QaFeatureOptions o;
    o.max_seq_length = 10;
    o.doc_stride = 2;
    return prepare_qa_features(examples, *tokenizer_, o);
  }
  static testing::TempDir* dir_;
  static tokenizers::Tokenizer* tokenizer_;
};
testing::TempDir* QaFeaturesTest::dir_ = nullptr;
tokenizers::Tokenizer* QaFeaturesTest::tokenizer_ = nullptr;

const std::string kTen = "a b c d e f g h i j";

TEST_F(QaFeaturesTest, WindowsOverlapByTheStrideAndKeepContextOffsetsOnly) {
  const auto f = features({example(kTen, "c", 4)});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].input_ids, (std::vector<int64_t>{2, 5, 3, 7, 8, 9, 10, 11, 12, 3}));
  EXPECT_EQ(f[1].input_ids, (std::vector<int64_t>{2, 5, 3, 11, 12, 13, 14, 15, 16, 3}));
  EXPECT_EQ(f[0].token_type_ids, (std::vector<int64_t>{0, 0, 0, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(f[1].context_offsets,
            (std::vector<Offset>{std::nullopt, std::nullopt, std::nullopt, Offset({8, 9}),
                                 Offset({10, 11}), Offset({12, 13}), Offset({14, 15}),
                                 Offset({16, 17}), Offset({18, 19}), std::nullopt}));
  EXPECT_EQ(f[0].example_index, 0u);
  EXPECT_EQ(f[1].example_index, 0u);
  // "c" (token 5) is in window 0 only.
  EXPECT_EQ(f[0].start_position, 5);
  EXPECT_EQ(f[0].end_position, 5);
  EXPECT_EQ(f[1].start_position, 0);
  EXPECT_EQ(f[1].end_position, 0);
}

TEST_F(QaFeaturesTest, AnswerInTheLastContextTokenStartsAtTheFinalSepAsHfDoes) {
  // "f" ends window 0: HF's start loop passes the [SEP] (offset (0, 0) ≤ start_char) and stops at
  // the window's end, so the start is the [SEP] (9) and the end the answer token (8). In window 1
  // (e … j) "f" is token 4.
  const auto f = features({example(kTen, "f", 10)});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].start_position, 9);
  EXPECT_EQ(f[0].end_position, 8);
  EXPECT_EQ(f[1].start_position, 4);
  EXPECT_EQ(f[1].end_position, 4);
}

TEST_F(QaFeaturesTest, AnswerAtTheFirstContextTokenOfAWindow) {
  const auto f = features({example(kTen, "e f g", 8)});
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].start_position, 0) << "not wholly inside window 0";
  EXPECT_EQ(f[1].start_position, 3);
  EXPECT_EQ(f[1].end_position, 5);
}

TEST_F(QaFeaturesTest, AnswerSplitAcrossWindowsIsTheClsInBoth) {
  const auto f = features({example(kTen, "d e f g", 6)});
  ASSERT_EQ(f.size(), 2u);
  for (const auto& w : f) {
    EXPECT_EQ(w.start_position, 0);
    EXPECT_EQ(w.end_position, 0);
  }
}

TEST_F(QaFeaturesTest, UnanswerableAndShortContexts) {
  const auto f = features({example("a b c", "", 0, "none"), example("a b c", "b c", 2, "short")});
  ASSERT_EQ(f.size(), 2u) << "one window each";
  EXPECT_EQ(f[0].input_ids, (std::vector<int64_t>{2, 5, 3, 7, 8, 9, 3}));
  EXPECT_EQ(f[0].start_position, 0);
  EXPECT_EQ(f[0].end_position, 0);
  EXPECT_EQ(f[1].example_index, 1u);
  EXPECT_EQ(f[1].start_position, 4);
  EXPECT_EQ(f[1].end_position, 5);
}

TEST_F(QaFeaturesTest, AnswerInsideAWordPieceMapsToItsToken) {
  // Mid-token answer start: the token containing it (start loop stops after it).
  const auto f = features({example("a bc d", "c", 3)});
  ASSERT_EQ(f.size(), 1u);
  // "bc" is [UNK] with offsets (2, 4): start = that token, end = that token.
  EXPECT_EQ(f[0].start_position, 4);
  EXPECT_EQ(f[0].end_position, 4);
}

TEST_F(QaFeaturesTest, QuestionTooLongNamesTheExample) {
  data::SquadExample e = example(kTen, "c", 4, "long-q");
  e.question = "who who who who who who who who";
  try {
    features({e});
    FAIL() << "expected Error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("qa features: question \"long-q\""), std::string::npos)
        << err.what();
  }
}

TEST(PythonLstripTest, StripsPythonWhitespaceOnly) {
  EXPECT_EQ(python_lstrip(" \t\n\x1c\u3000who "), "who ");
  EXPECT_EQ(python_lstrip("\u200bwho"), "\u200bwho") << "zero-width space is not isspace()";
  EXPECT_EQ(python_lstrip(""), "");
}

}  // namespace
}  // namespace adalora::tasks
