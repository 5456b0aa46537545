// Readers for the official GLUE TSV files (the `glue_data/<TASK>/` layout of GLUE's download
// script) of the eight tasks of the paper's Table 1.
//
// Mirrors HF `datasets`' `glue` builder: raw tab split with quoting disabled, columns selected by
// header name, CoLA train/dev read without a header as [source, label, original_label, sentence],
// labels given as names or as ids ("0"/"1") mapped to HF's ClassLabel order, STS-B's `score` as a
// float, and test files (no label column) read as unlabelled. Unlike HF, which silently drops rows
// with missing fields, a malformed row is an error naming the file and line. WNLI and AX are not
// read (the paper does not use them).
#pragma once

#include <string>
#include <vector>

#include "adalora/data/example.h"

namespace adalora::data {

/// Where one GLUE task keeps its text and label, and what its labels are called.
struct GlueLayout {
  std::string task;                      ///< "cola", "sst2", "mrpc", "qqp", "stsb", "mnli", …
  std::string text_column;               ///< header name of the first segment
  std::string text_pair_column;          ///< header name of the second segment; "" if single
  std::string label_column;              ///< header name of the label; absent in test files
  std::vector<std::string> label_names;  ///< HF ClassLabel names in id order; empty = regression
  std::vector<std::string> implicit_header;  ///< column names of header-less files (CoLA train/dev)
};

/// The eight layouts, in the order of the paper's Table 1 columns' tasks (cola … rte).
const std::vector<GlueLayout>& glue_layouts();

/// The layout of `task` ("mnli", not "glue/mnli"). Unknown → adalora::Error listing the known ones.
const GlueLayout& glue_layout(const std::string& task);

/// Reads one GLUE TSV file (train, dev, or test) of `task`. Throws adalora::Error
/// "<file>:<line>: <column>: expected …, got …" for a header without the task's text columns, a
/// row whose field count differs from the header's, or a label that is not one of the task's.
Dataset read_glue_tsv(const std::string& path, const std::string& task);

}  // namespace adalora::data
