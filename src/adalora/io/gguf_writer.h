// A GGUF file writer (llama.cpp's model / adapter format, version 3: ggml/docs/gguf.md):
//
//   "GGUF" · u32 version 3 · u64 tensor_count · u64 kv_count
//   kv_count × { string key · u32 value_type · value }        (strings: u64 length + UTF-8 bytes)
//   tensor_count × { string name · u32 n_dims · u64 ne[n_dims] · u32 ggml_type · u64 offset }
//   zero padding to `general.alignment` (32) · tensor data, each tensor at its offset (a multiple
//   of the alignment, relative to the start of the data section), zero-padded between tensors.
//
// Little-endian throughout. ggml lists dimensions fastest-first, so a row-major torch tensor of
// sizes [rows, cols] is written with ne = [cols, rows] and its bytes unchanged.
// Tensor types written: F32 (ggml type 0) and F16 (1). The file is written atomically.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace adalora::io {

/// GGUF metadata value types (gguf_type in ggml's gguf.h).
enum class GgufValueType : uint32_t {
  Uint8 = 0, Int8 = 1, Uint16 = 2, Int16 = 3, Uint32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
  String = 8, Array = 9, Uint64 = 10, Int64 = 11, Float64 = 12,
};

/// ggml tensor types this writer stores.
enum class GgmlType : uint32_t { F32 = 0, F16 = 1 };

inline constexpr uint32_t kGgufVersion = 3;
inline constexpr uint64_t kGgufDefaultAlignment = 32;

class GgufWriter {
 public:
  void add_string(const std::string& key, const std::string& value);
  void add_uint32(const std::string& key, uint32_t value);
  void add_int32(const std::string& key, int32_t value);
  void add_float32(const std::string& key, float value);
  void add_bool(const std::string& key, bool value);
  void add_string_array(const std::string& key, const std::vector<std::string>& values);
  void add_float32_array(const std::string& key, const std::vector<float>& values);
  void add_int32_array(const std::string& key, const std::vector<int32_t>& values);

  /// Adds `tensor` (any float dtype, 1 to 4 dims, torch order) stored as `type`. Error for a
  /// duplicate name (key or tensor), a name longer than 64 bytes (GGML_MAX_NAME), or > 4 dims.
  void add_tensor(const std::string& name, const torch::Tensor& tensor, GgmlType type);

  /// The whole file as bytes (for tests); write() stores exactly these.
  std::string serialize() const;
  /// Writes the file atomically; Error naming `path` on failure.
  void write(const std::string& path) const;

  size_t tensor_count() const { return tensors_.size(); }

 private:
  struct Kv {
    std::string key;
    GgufValueType type;
    std::string payload;  // the value's bytes as stored after the type field
  };
  struct Tensor {
    std::string name;
    std::vector<uint64_t> ne;  // fastest-first
    GgmlType type;
    std::string data;
  };
  void add_kv(const std::string& key, GgufValueType type, std::string payload);

  std::vector<Kv> kvs_;
  std::vector<Tensor> tensors_;
};

}  // namespace adalora::io
