// A minimal GGUF reader for tests, written from the spec (ggml/docs/gguf.md, version 3) and
// independent of io/gguf_writer: header, metadata (scalars, strings, arrays of them), tensor infos,
// alignment, F32 / F16 data. Throws std::runtime_error naming the byte offset on anything else.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace adalora::testing {

struct GgufValue {
  uint32_t type = 0;                 ///< gguf_type of a scalar, 9 for an array
  uint32_t element_type = 0;         ///< arrays: the elements' type
  std::string str;                   ///< strings
  double number = 0;                 ///< numbers and bools
  std::vector<std::string> strings;  ///< string arrays
  std::vector<double> numbers;       ///< numeric arrays
};

struct GgufTensorInfo {
  std::vector<uint64_t> ne;  ///< fastest-first
  uint32_t type = 0;         ///< 0 F32, 1 F16
  uint64_t offset = 0;       ///< relative to the data section
  torch::Tensor value;       ///< float32, torch order (ne reversed)
};

struct GgufFile {
  uint32_t version = 0;
  std::vector<std::string> keys;  ///< in file order
  std::map<std::string, GgufValue> kv;
  std::vector<std::string> tensor_names;  ///< in file order
  std::map<std::string, GgufTensorInfo> tensors;
  uint64_t data_start = 0;
};

inline GgufFile parse_gguf(const std::string& bytes) {
  size_t pos = 0;
  auto fail = [&](const std::string& what) -> void {
    throw std::runtime_error("gguf at byte " + std::to_string(pos) + ": " + what);
  };
  auto take = [&](size_t n) {
    if (pos + n > bytes.size()) fail("truncated");
    const char* p = bytes.data() + pos;
    pos += n;
    return p;
  };
  auto u = [&](size_t n) {  // little-endian unsigned of n bytes
    const auto* p = reinterpret_cast<const unsigned char*>(take(n));
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
  };
  auto str = [&] {
    const uint64_t n = u(8);
    return std::string(take(n), n);
  };
  auto scalar = [&](uint32_t type) -> double {
    static const size_t sizes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    if (type > 12 || type == 8 || type == 9) fail("not a numeric type: " + std::to_string(type));
    const uint64_t bits = u(sizes[type]);
    switch (type) {
      case 1: return static_cast<int8_t>(bits);
      case 3: return static_cast<int16_t>(bits);
      case 5: return static_cast<int32_t>(bits);
      case 11: return static_cast<double>(static_cast<int64_t>(bits));
      case 6: { float f; uint32_t b = static_cast<uint32_t>(bits); std::memcpy(&f, &b, 4); return f; }
      case 12: { double d; std::memcpy(&d, &bits, 8); return d; }
      default: return static_cast<double>(bits);
    }
  };

  GgufFile f;
  if (std::string(take(4), 4) != "GGUF") fail("expected magic GGUF");
  f.version = static_cast<uint32_t>(u(4));
  const uint64_t n_tensors = u(8), n_kv = u(8);
  for (uint64_t i = 0; i < n_kv; ++i) {
    const std::string key = str();
    GgufValue v;
    v.type = static_cast<uint32_t>(u(4));
    if (v.type == 8) {
      v.str = str();
    } else if (v.type == 9) {
      v.element_type = static_cast<uint32_t>(u(4));
      const uint64_t n = u(8);
      for (uint64_t j = 0; j < n; ++j) {
        if (v.element_type == 8) v.strings.push_back(str());
        else v.numbers.push_back(scalar(v.element_type));
      }
    } else {
      v.number = scalar(v.type);
    }
    if (f.kv.count(key)) fail("duplicate key " + key);
    f.keys.push_back(key);
    f.kv[key] = v;
  }
  for (uint64_t i = 0; i < n_tensors; ++i) {
    const std::string name = str();
    GgufTensorInfo t;
    const uint32_t dims = static_cast<uint32_t>(u(4));
    for (uint32_t d = 0; d < dims; ++d) t.ne.push_back(u(8));
    t.type = static_cast<uint32_t>(u(4));
    t.offset = u(8);
    f.tensor_names.push_back(name);
    f.tensors[name] = t;
  }
  uint64_t alignment = 32;
  if (f.kv.count("general.alignment")) alignment = static_cast<uint64_t>(f.kv["general.alignment"].number);
  f.data_start = (pos + alignment - 1) / alignment * alignment;
  for (auto& [name, t] : f.tensors) {
    if (t.offset % alignment != 0) throw std::runtime_error(name + ": offset not aligned");
    std::vector<int64_t> sizes(t.ne.rbegin(), t.ne.rend());
    int64_t n = 1;
    for (auto s : sizes) n *= s;
    if (t.type != 0 && t.type != 1) throw std::runtime_error(name + ": type " + std::to_string(t.type));
    const size_t bytes_n = static_cast<size_t>(n) * (t.type == 0 ? 4 : 2);
    if (f.data_start + t.offset + bytes_n > bytes.size()) throw std::runtime_error(name + ": data past the end");
    auto raw = torch::empty(sizes, t.type == 0 ? torch::kFloat32 : torch::kFloat16);
    std::memcpy(raw.data_ptr(), bytes.data() + f.data_start + t.offset, bytes_n);
    t.value = raw.to(torch::kFloat32);
  }
  return f;
}

}  // namespace adalora::testing
