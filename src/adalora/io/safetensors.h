// The safetensors format (HuggingFace): reader (memory-mapped, zero-copy views) and writer.
//
// Layout: 8-byte little-endian header length N; N bytes of UTF-8 JSON (an object: optional
// "__metadata__" string→string map, then name → {"dtype", "shape", "data_offsets": [begin, end]},
// offsets relative to the data section at 8 + N); then the data section, row-major, little-endian.
// The reader validates everything before any tensor is touched: header length within the file,
// valid JSON, known dtype, shape × dtype size == end − begin, offsets inside the data section,
// tensors contiguous without overlap (HF's own reader requires it), no trailing bytes.
// The writer follows HF's layout (tensors sorted by dtype size descending, then name; header padded
// with spaces to a multiple of 8) and writes atomically.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace adalora::io {

/// One entry of a safetensors header.
struct TensorInfo {
  std::string name;
  std::string dtype;            ///< "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"
  std::vector<int64_t> shape;
  uint64_t begin = 0;           ///< byte offset in the data section
  uint64_t end = 0;             ///< exclusive
};

/// torch dtype of a safetensors dtype string; throws Error for unknown strings.
torch::ScalarType scalar_type_from_safetensors(const std::string& dtype);
/// safetensors dtype string of a torch dtype; throws Error for types safetensors cannot hold.
std::string safetensors_dtype_name(torch::ScalarType type);

/// A memory-mapped safetensors file. Cheap to copy (shares the mapping).
class SafetensorsFile {
 public:
  /// Opens and validates `path`. Throws Error "<path>: <problem>" on any malformation.
  static SafetensorsFile open(const std::string& path);

  const std::string& path() const;
  const std::map<std::string, std::string>& metadata() const;
  /// Tensor names in data-section order.
  const std::vector<std::string>& names() const;
  bool contains(const std::string& name) const;
  /// Throws Error "<path>: tensor \"name\" not found" when absent.
  const TensorInfo& info(const std::string& name) const;

  /// A zero-copy, read-only CPU view into the mapping (keeps the mapping alive). Do not write to it.
  /// Data not aligned for its dtype (possible in files from other writers) is copied instead.
  torch::Tensor view(const std::string& name) const;
  /// A fresh tensor owning its memory, converted to `dtype` when given.
  torch::Tensor load(const std::string& name,
                     std::optional<torch::ScalarType> dtype = std::nullopt) const;

 private:
  struct Mapping;
  std::shared_ptr<const Mapping> mapping_;
};

/// A model checkpoint: one `model.safetensors`, or the shards listed by a
/// `*.safetensors.index.json` (its "weight_map": name → shard file).
class Checkpoint {
 public:
  /// `path` is a directory (looks for model.safetensors, then model.safetensors.index.json), a
  /// .safetensors file, or an index .json file. A directory holding only pytorch_model.bin gets an
  /// Error saying .bin pickles are not read and how to convert them.
  static Checkpoint open(const std::string& path);

  std::vector<std::string> names() const;  ///< sorted
  bool contains(const std::string& name) const;
  const TensorInfo& info(const std::string& name) const;
  torch::Tensor view(const std::string& name) const;
  torch::Tensor load(const std::string& name,
                     std::optional<torch::ScalarType> dtype = std::nullopt) const;
  /// The file that holds `name` (for error messages).
  const std::string& file_of(const std::string& name) const;

 private:
  const SafetensorsFile& file_for(const std::string& name) const;  // throws when absent

  std::string source_;                   // the file opened, for error messages
  std::vector<SafetensorsFile> files_;
  std::map<std::string, size_t> index_;  // tensor name → position in files_
};

/// Writes `tensors` (any order; names must be unique; CPU or not, contiguous or not) with
/// `metadata` as "__metadata__" to `path`, atomically, in HF's layout.
void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

/// Serialises to bytes (what save_safetensors writes).
std::string serialize_safetensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});

}  // namespace adalora::io
