#include "adalora/io/gguf_writer.h"

#include <cstring>

#include "adalora/core/error.h"
#include "adalora/io/atomic_file.h"

namespace adalora::io {
namespace {

constexpr size_t kMaxTensorName = 63;  // GGML_MAX_NAME (64) including the terminating NUL

template <typename T>
void put(std::string& out, T value) {  // little-endian, whatever the host
  using U = std::conditional_t<sizeof(T) == 1, uint8_t, std::conditional_t<sizeof(T) == 2, uint16_t,
                               std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
  U bits;
  std::memcpy(&bits, &value, sizeof(T));
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void put_string(std::string& out, const std::string& s) {
  put<uint64_t>(out, s.size());
  out += s;
}

void pad_to(std::string& out, uint64_t alignment) {
  while (out.size() % alignment != 0) out.push_back('\0');
}

bool host_is_little_endian() {
  const uint16_t one = 1;
  unsigned char first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

}  // namespace

void GgufWriter::add_kv(const std::string& key, GgufValueType type, std::string payload) {
  for (const auto& kv : kvs_) ADALORA_CHECK(kv.key != key, "gguf writer: metadata key \"", key, "\" added twice");
  kvs_.push_back({key, type, std::move(payload)});
}

void GgufWriter::add_string(const std::string& key, const std::string& value) {
  std::string p;
  put_string(p, value);
  add_kv(key, GgufValueType::String, std::move(p));
}

void GgufWriter::add_uint32(const std::string& key, uint32_t value) {
  std::string p;
  put(p, value);
  add_kv(key, GgufValueType::Uint32, std::move(p));
}

void GgufWriter::add_int32(const std::string& key, int32_t value) {
  std::string p;
  put(p, value);
  add_kv(key, GgufValueType::Int32, std::move(p));
}

void GgufWriter::add_float32(const std::string& key, float value) {
  std::string p;
  put(p, value);
  add_kv(key, GgufValueType::Float32, std::move(p));
}

void GgufWriter::add_bool(const std::string& key, bool value) {
  std::string p;
  put<uint8_t>(p, value ? 1 : 0);
  add_kv(key, GgufValueType::Bool, std::move(p));
}

// Arrays: u32 element type · u64 count · elements.
void GgufWriter::add_string_array(const std::string& key, const std::vector<std::string>& values) {
  std::string p;
  put(p, static_cast<uint32_t>(GgufValueType::String));
  put<uint64_t>(p, values.size());
  for (const auto& v : values) put_string(p, v);
  add_kv(key, GgufValueType::Array, std::move(p));
}

void GgufWriter::add_float32_array(const std::string& key, const std::vector<float>& values) {
  std::string p;
  put(p, static_cast<uint32_t>(GgufValueType::Float32));
  put<uint64_t>(p, values.size());
  for (float v : values) put(p, v);
  add_kv(key, GgufValueType::Array, std::move(p));
}

void GgufWriter::add_int32_array(const std::string& key, const std::vector<int32_t>& values) {
  std::string p;
  put(p, static_cast<uint32_t>(GgufValueType::Int32));
  put<uint64_t>(p, values.size());
  for (int32_t v : values) put(p, v);
  add_kv(key, GgufValueType::Array, std::move(p));
}

void GgufWriter::add_tensor(const std::string& name, const torch::Tensor& tensor, GgmlType type) {
  ADALORA_CHECK(!name.empty() && name.size() <= kMaxTensorName, "gguf writer: tensor \"", name,
                "\": expected a name of 1 to ", kMaxTensorName, " bytes (GGML_MAX_NAME), got ", name.size());
  for (const auto& t : tensors_) ADALORA_CHECK(t.name != name, "gguf writer: tensor \"", name, "\" added twice");
  ADALORA_CHECK(tensor.dim() >= 1 && tensor.dim() <= 4, "gguf writer: tensor \"", name,
                "\": expected 1 to 4 dimensions (GGML_MAX_DIMS), got ", tensor.dim());
  ADALORA_CHECK(tensor.is_floating_point(), "gguf writer: tensor \"", name, "\": expected a float tensor, got ",
                tensor.scalar_type());
  ADALORA_CHECK(host_is_little_endian(), "gguf writer: a big-endian host is not supported");
  Tensor t{name, {}, type, {}};
  for (int64_t d = tensor.dim() - 1; d >= 0; --d) t.ne.push_back(static_cast<uint64_t>(tensor.size(d)));
  const auto stored = tensor.detach()
                          .to(torch::kCPU, type == GgmlType::F32 ? torch::kFloat32 : torch::kFloat16)
                          .contiguous();
  t.data.assign(static_cast<const char*>(stored.data_ptr()), stored.numel() * stored.element_size());
  tensors_.push_back(std::move(t));
}

std::string GgufWriter::serialize() const {
  std::string out = "GGUF";
  put(out, kGgufVersion);
  put<uint64_t>(out, tensors_.size());
  put<uint64_t>(out, kvs_.size());
  for (const auto& kv : kvs_) {
    put_string(out, kv.key);
    put(out, static_cast<uint32_t>(kv.type));
    out += kv.payload;
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    put_string(out, t.name);
    put<uint32_t>(out, static_cast<uint32_t>(t.ne.size()));
    for (uint64_t n : t.ne) put(out, n);
    put(out, static_cast<uint32_t>(t.type));
    put(out, offset);
    offset += (t.data.size() + kGgufDefaultAlignment - 1) / kGgufDefaultAlignment * kGgufDefaultAlignment;
  }
  pad_to(out, kGgufDefaultAlignment);
  for (const auto& t : tensors_) {
    out += t.data;
    pad_to(out, kGgufDefaultAlignment);
  }
  return out;
}

void GgufWriter::write(const std::string& path) const { write_file_atomic(path, serialize()); }

}  // namespace adalora::io
