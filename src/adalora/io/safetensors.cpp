// safetensors reader (mmap, whole header validated up front) and writer (HF's byte layout).
//
// Mirrors huggingface/safetensors (Rust crate, tensor.rs): the reader enforces what
// `SafeTensors::read_metadata` enforces (header ≤ 100 MB, tensors tile the data section
// contiguously in offset order, no trailing bytes) plus duplicate keys and torch-supported dtypes;
// the writer reproduces `prepare`/`serialize`: tensors sorted by the crate's Dtype order
// descending (which is dtype size descending, ties as the crate breaks them: I64 before F64,
// F32 before I32, BF16 before F16 before I16, I8 before U8 before BOOL), then name ascending,
// compact JSON with "__metadata__" first, padded with spaces to a multiple of 8.
// Not handled: dtypes LibTorch 1.13 lacks (U16, U32, U64, F8_*), big-endian hosts, .bin pickles.
#include "adalora/io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

#include "adalora/core/error.h"
#include "adalora/core/json_depth.h"
#include "adalora/io/atomic_file.h"
#include "adalora/io/json.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; this reader maps it without byte swapping");

namespace adalora::io {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // HF's MAX_HEADER_SIZE

struct DtypeEntry {
  const char* name;
  torch::ScalarType type;
  uint64_t size;
  int rank;  // position in the Rust crate's `enum Dtype`; the writer sorts by it descending
};

const DtypeEntry kDtypes[] = {
    {"BOOL", torch::kBool, 1, 0},    {"U8", torch::kUInt8, 1, 1},
    {"I8", torch::kInt8, 1, 2},      {"I16", torch::kInt16, 2, 5},
    {"F16", torch::kFloat16, 2, 7},  {"BF16", torch::kBFloat16, 2, 8},
    {"I32", torch::kInt32, 4, 9},    {"F32", torch::kFloat32, 4, 11},
    {"F64", torch::kFloat64, 8, 12}, {"I64", torch::kInt64, 8, 13},
};

const DtypeEntry* find_dtype(const std::string& name) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

const DtypeEntry* find_dtype(torch::ScalarType type) {
  for (const auto& d : kDtypes) {
    if (type == d.type) return &d;
  }
  return nullptr;
}

constexpr const char* kDtypeList = "one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL";

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

/// Reads a JSON integer in [0, max]; nullopt for anything else (negative, float, string, ...).
std::optional<uint64_t> as_index(const Json& v, uint64_t max) {
  // nlohmann stores non-negative integers as unsigned, negative ones as signed.
  if (!v.is_number_unsigned()) return std::nullopt;
  const uint64_t x = v.get<uint64_t>();
  return x <= max ? std::optional<uint64_t>(x) : std::nullopt;
}

TensorInfo parse_entry(const std::string& path, const std::string& name, const Json& entry) {
  const std::string where = str_cat(path, ": tensor \"", name, "\": ");
  ADALORA_CHECK(entry.is_object(), where,
                "expected an object with dtype, shape and data_offsets, got ", entry.dump());
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    ADALORA_CHECK(entry.contains(field), where, field, ": required field is missing");
  }
  TensorInfo info;
  info.name = name;
  const Json& dtype = entry.at("dtype");
  ADALORA_CHECK(dtype.is_string(), where, "dtype: expected a string, got ", dtype.dump());
  info.dtype = dtype.get<std::string>();
  ADALORA_CHECK(find_dtype(info.dtype) != nullptr, where, "dtype: expected ", kDtypeList,
                ", got \"", info.dtype, "\"");
  const Json& shape = entry.at("shape");
  ADALORA_CHECK(shape.is_array(), where, "shape: expected a list of integers, got ", shape.dump());
  for (const Json& d : shape) {
    const auto dim = as_index(d, static_cast<uint64_t>(INT64_MAX));
    ADALORA_CHECK(dim.has_value(), where, "shape: expected non-negative integers, got ",
                  shape.dump());
    info.shape.push_back(static_cast<int64_t>(*dim));
  }
  const Json& offsets = entry.at("data_offsets");
  std::optional<uint64_t> begin, end;
  if (offsets.is_array() && offsets.size() == 2) {
    begin = as_index(offsets[0], UINT64_MAX);
    end = as_index(offsets[1], UINT64_MAX);
  }
  ADALORA_CHECK(begin && end, where,
                "data_offsets: expected [begin, end] (non-negative integers), got ",
                offsets.dump());
  info.begin = *begin;
  info.end = *end;
  ADALORA_CHECK(info.begin <= info.end, where, "data_offsets: expected begin <= end, got ",
                offsets.dump());
  uint64_t bytes = find_dtype(info.dtype)->size;
  for (int64_t d : info.shape) {
    ADALORA_CHECK(!__builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes), where, "shape ",
                  shape_string(info.shape), ": byte size overflows 64 bits");
  }
  ADALORA_CHECK(info.end - info.begin == bytes, where, "data_offsets [", info.begin, ", ", info.end,
                "]: expected ", bytes, " bytes for shape ", shape_string(info.shape), " of ",
                info.dtype, ", got ", info.end - info.begin);
  return info;
}

/// Parses JSON and reports the first duplicate key at any depth (nlohmann keeps one silently).
Json parse_header(const std::string& path, const char* text, size_t size) {
  std::vector<std::set<std::string>> open_objects;
  std::string top_key, duplicate;
  Json header;
  check_json_depth(std::string_view(text, size), path + ": header");
  try {
    header =
        Json::parse(text, text + size, [&](int depth, Json::parse_event_t event, Json& parsed) {
          if (event == Json::parse_event_t::object_start) open_objects.emplace_back();
          if (event == Json::parse_event_t::object_end) open_objects.pop_back();
          if (event == Json::parse_event_t::key && !open_objects.empty()) {
            const std::string key = parsed.get<std::string>();
            if (depth == 1) top_key = key;
            if (!open_objects.back().insert(key).second && duplicate.empty()) {
              duplicate = depth == 1 ? str_cat("\"", key, "\": duplicate name")
                                     : str_cat("\"", top_key, "\": duplicate key \"", key, "\"");
            }
          }
          return true;
        });
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(str_cat(path, ": header: invalid JSON at byte ", e.byte, ": ", e.what()));
  } catch (const nlohmann::json::out_of_range& e) {  // a number beyond double's range, e.g. 1e400
    throw Error(str_cat(path, ": header: invalid JSON: ", e.what()));
  }
  ADALORA_CHECK(duplicate.empty(), path, ": header: ", duplicate);
  ADALORA_CHECK(header.is_object(), path, ": header: expected a JSON object, got ",
                header.type_name());
  return header;
}

}  // namespace

torch::ScalarType scalar_type_from_safetensors(const std::string& dtype) {
  const DtypeEntry* d = find_dtype(dtype);
  ADALORA_CHECK(d != nullptr, "safetensors: dtype: expected ", kDtypeList, ", got \"", dtype, "\"");
  return d->type;
}

std::string safetensors_dtype_name(torch::ScalarType type) {
  const DtypeEntry* d = find_dtype(type);
  ADALORA_CHECK(d != nullptr, "safetensors: dtype: expected a torch type of ", kDtypeList, ", got ",
                c10::toString(type));
  return d->name;
}

// ---------------------------------------------------------------------------------------------
// Reader

struct SafetensorsFile::Mapping {
  std::string path;
  void* base = nullptr;  // whole file, read-only
  size_t size = 0;
  const char* data = nullptr;  // start of the data section
  std::map<std::string, std::string> metadata;
  std::vector<TensorInfo> infos;  // data-section order
  std::vector<std::string> names;
  std::map<std::string, size_t> index;

  ~Mapping() {
    if (base != nullptr) ::munmap(base, size);
  }
};

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  auto m = std::make_shared<Mapping>();
  m->path = path;
  struct Fd {  // closes on every exit; the mapping outlives it
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  } fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  ADALORA_CHECK(fd.fd >= 0, path, ": cannot open for reading: ", std::strerror(errno));
  struct stat st {};
  ADALORA_CHECK(::fstat(fd.fd, &st) == 0, path, ": cannot stat: ", std::strerror(errno));
  ADALORA_CHECK(S_ISREG(st.st_mode), path, ": expected a regular file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  ADALORA_CHECK(file_size >= 8, path, ": expected at least 8 bytes (the header length), got ",
                file_size, " bytes; not a safetensors file");
  void* base = ::mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  ADALORA_CHECK(base != MAP_FAILED, path, ": mmap failed: ", std::strerror(errno));
  m->base = base;
  m->size = file_size;
  const char* bytes = static_cast<const char*>(base);

  uint64_t header_len = 0;
  std::memcpy(&header_len, bytes, 8);  // little-endian host (static_assert above)
  ADALORA_CHECK(header_len <= kMaxHeaderBytes, path, ": header length: expected at most ",
                kMaxHeaderBytes, " bytes, got ", header_len, "; not a safetensors file?");
  ADALORA_CHECK(header_len <= file_size - 8, path, ": header length: expected at most ",
                file_size - 8, " (the bytes after the length field), got ", header_len,
                "; file truncated or not a safetensors file");
  const Json header = parse_header(path, bytes + 8, header_len);
  m->data = bytes + 8 + header_len;
  const uint64_t data_size = file_size - 8 - header_len;

  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      ADALORA_CHECK(value.is_object(), path, ": __metadata__: expected an object of strings, got ",
                    value.dump());
      for (const auto& [mk, mv] : value.items()) {
        ADALORA_CHECK(mv.is_string(), path, ": __metadata__: \"", mk, "\": expected a string, got ",
                      mv.dump());
        m->metadata[mk] = mv.get<std::string>();
      }
      continue;
    }
    m->infos.push_back(parse_entry(path, key, value));
  }

  // HF's reader: sorted by (begin, end), each tensor must start where the previous one ended.
  std::stable_sort(m->infos.begin(), m->infos.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return std::make_pair(a.begin, a.end) < std::make_pair(b.begin, b.end);
  });
  uint64_t expected_begin = 0;
  for (size_t i = 0; i < m->infos.size(); ++i) {
    const TensorInfo& t = m->infos[i];
    const std::string where =
        str_cat(path, ": tensor \"", t.name, "\": data_offsets [", t.begin, ", ", t.end, "]: ");
    const std::string previous = i ? str_cat(" tensor \"", m->infos[i - 1].name, "\"") : "";
    ADALORA_CHECK(t.begin == expected_begin, where, "expected begin ", expected_begin,
                  " (tensors must tile the data section contiguously in offset order), got ",
                  t.begin,
                  t.begin < expected_begin ? ": overlaps" + previous
                                           : str_cat(": leaves a gap of ", t.begin - expected_begin,
                                                     " bytes", i ? " after" + previous : ""));
    ADALORA_CHECK(t.end <= data_size, where, "expected end <= ", data_size,
                  " (the size of the data section), got ", t.end, "; file truncated?");
    expected_begin = t.end;
    m->index[t.name] = i;
    m->names.push_back(t.name);
  }
  ADALORA_CHECK(expected_begin == data_size, path, ": data section: expected ", expected_begin,
                " bytes (the end of the last tensor), got ", data_size, " (",
                data_size - expected_begin, " trailing bytes)");
  SafetensorsFile file;
  file.mapping_ = std::move(m);
  return file;
}

const std::string& SafetensorsFile::path() const { return mapping_->path; }
const std::map<std::string, std::string>& SafetensorsFile::metadata() const {
  return mapping_->metadata;
}
const std::vector<std::string>& SafetensorsFile::names() const { return mapping_->names; }
bool SafetensorsFile::contains(const std::string& name) const {
  return mapping_->index.count(name) != 0;
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
  auto it = mapping_->index.find(name);
  ADALORA_CHECK(it != mapping_->index.end(), mapping_->path, ": tensor \"", name, "\" not found");
  return mapping_->infos[it->second];
}

torch::Tensor SafetensorsFile::view(const std::string& name) const {
  const TensorInfo& t = info(name);
  const DtypeEntry& d = *find_dtype(t.dtype);
  const auto options = torch::TensorOptions().dtype(d.type);
  const char* ptr = mapping_->data + t.begin;
  if (t.end == t.begin) return torch::empty(t.shape, options);
  if (reinterpret_cast<uintptr_t>(ptr) % d.size != 0) {
    // Unaligned for its dtype (a header length not a multiple of 8): copy rather than alias.
    torch::Tensor copy = torch::empty(t.shape, options);
    std::memcpy(copy.data_ptr(), ptr, t.end - t.begin);
    return copy;
  }
  std::shared_ptr<const Mapping> keep = mapping_;
  return torch::from_blob(
      const_cast<char*>(ptr), t.shape, [keep](void*) {}, options);
}

torch::Tensor SafetensorsFile::load(const std::string& name,
                                    std::optional<torch::ScalarType> dtype) const {
  torch::Tensor v = view(name);
  return v.to(dtype.value_or(v.scalar_type()), /*non_blocking=*/false, /*copy=*/true,
              torch::MemoryFormat::Contiguous);
}

// ---------------------------------------------------------------------------------------------
// Checkpoint

Checkpoint Checkpoint::open(const std::string& path) {
  Checkpoint ckpt;
  std::string file = path;
  if (fs::is_directory(path)) {
    const fs::path dir(path);
    if (fs::exists(dir / "model.safetensors")) {
      file = (dir / "model.safetensors").string();
    } else if (fs::exists(dir / "model.safetensors.index.json")) {
      file = (dir / "model.safetensors.index.json").string();
    } else if (fs::exists(dir / "pytorch_model.bin") ||
               fs::exists(dir / "pytorch_model.bin.index.json")) {
      throw Error(str_cat(
          path,
          ": expected model.safetensors or model.safetensors.index.json, found only "
          "pytorch_model.bin: PyTorch .bin pickles are not read (unpickling needs Python and can "
          "run "
          "arbitrary code). Convert the checkpoint to safetensors first, e.g.\n  python -c \"from "
          "transformers import AutoModel; AutoModel.from_pretrained('",
          path, "').save_pretrained('OUT', safe_serialization=True)\""));
    } else {
      throw Error(str_cat(path,
                          ": no checkpoint found: expected model.safetensors or "
                          "model.safetensors.index.json in this directory"));
    }
  } else {
    ADALORA_CHECK(fs::exists(path), path, ": no such file or directory");
  }
  ckpt.source_ = file;
  if (file.size() < 5 || file.compare(file.size() - 5, 5, ".json") != 0) {
    ckpt.files_.push_back(SafetensorsFile::open(file));
    for (const auto& name : ckpt.files_[0].names()) ckpt.index_[name] = 0;
    return ckpt;
  }

  // HF index: {"metadata": {...}, "weight_map": {tensor: shard file relative to the index}}.
  const Json index = load_json_file(file);
  const JsonObject root(index, file);
  const Json& weight_map = root.raw("weight_map");
  ADALORA_CHECK(weight_map.is_object(), file,
                ": weight_map: expected an object {tensor: shard}, got ", weight_map.type_name());
  const fs::path dir = fs::path(file).parent_path();
  std::map<std::string, size_t> shard_position;
  for (const auto& [name, shard] : weight_map.items()) {
    const std::string where = str_cat(file, ": weight_map: tensor \"", name, "\": ");
    ADALORA_CHECK(shard.is_string(), where, "expected a shard file name, got ", shard.dump());
    const std::string shard_name = shard.get<std::string>();
    auto it = shard_position.find(shard_name);
    if (it == shard_position.end()) {
      const fs::path shard_path = dir / shard_name;
      ADALORA_CHECK(fs::is_regular_file(shard_path), where, "shard \"", shard_name,
                    "\" not found (looked for ", shard_path.string(), ")");
      ckpt.files_.push_back(SafetensorsFile::open(shard_path.string()));
      it = shard_position.emplace(shard_name, ckpt.files_.size() - 1).first;
    }
    ADALORA_CHECK(ckpt.files_[it->second].contains(name), where, "expected in shard \"", shard_name,
                  "\", but that file does not contain it");
    ckpt.index_[name] = it->second;
  }
  return ckpt;
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  for (const auto& entry : index_) out.push_back(entry.first);
  return out;
}

bool Checkpoint::contains(const std::string& name) const { return index_.count(name) != 0; }

const SafetensorsFile& Checkpoint::file_for(const std::string& name) const {
  auto it = index_.find(name);
  ADALORA_CHECK(it != index_.end(), source_, ": tensor \"", name, "\" not found");
  return files_[it->second];
}

const TensorInfo& Checkpoint::info(const std::string& name) const {
  return file_for(name).info(name);
}
torch::Tensor Checkpoint::view(const std::string& name) const { return file_for(name).view(name); }
torch::Tensor Checkpoint::load(const std::string& name,
                               std::optional<torch::ScalarType> dtype) const {
  return file_for(name).load(name, dtype);
}
const std::string& Checkpoint::file_of(const std::string& name) const {
  return file_for(name).path();
}

// ---------------------------------------------------------------------------------------------
// Writer

namespace {

struct Prepared {
  std::string header;                  // 8-byte length + padded JSON
  std::vector<torch::Tensor> tensors;  // CPU, contiguous, in data-section order
};

Prepared prepare(const std::string& where,
                 const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                 const std::map<std::string, std::string>& metadata) {
  struct Item {
    const std::string* name;
    const DtypeEntry* dtype;
    torch::Tensor tensor;
  };
  std::vector<Item> items;
  std::set<std::string> seen;
  for (const auto& [name, tensor] : tensors) {
    ADALORA_CHECK(name != "__metadata__", where, ": tensor \"__metadata__\": name is reserved");
    ADALORA_CHECK(seen.insert(name).second, where, ": tensor \"", name, "\": duplicate name");
    ADALORA_CHECK(tensor.defined(), where, ": tensor \"", name, "\": expected a defined tensor");
    const DtypeEntry* d = find_dtype(tensor.scalar_type());
    ADALORA_CHECK(d != nullptr, where, ": tensor \"", name, "\": dtype: expected a torch type of ",
                  kDtypeList, ", got ", c10::toString(tensor.scalar_type()));
    items.push_back({&name, d, tensor.detach().to(torch::kCPU).contiguous()});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.dtype->rank != b.dtype->rank) return a.dtype->rank > b.dtype->rank;
    return *a.name < *b.name;  // char_traits compares bytes as unsigned, like Rust's str
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  Prepared out;
  uint64_t offset = 0;
  for (const Item& item : items) {
    const uint64_t bytes = static_cast<uint64_t>(item.tensor.nbytes());
    header[*item.name] = {{"dtype", item.dtype->name},
                          {"shape", item.tensor.sizes().vec()},
                          {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    out.tensors.push_back(item.tensor);
  }
  std::string json;
  try {
    json = header.dump();  // compact, like serde_json::to_string
  } catch (const nlohmann::json::type_error& e) {
    throw Error(
        str_cat(where, ": header: tensor names and metadata must be valid UTF-8: ", e.what()));
  }
  json.append((8 - json.size() % 8) % 8, ' ');
  const uint64_t n = json.size();
  out.header.assign(reinterpret_cast<const char*>(&n), 8);  // little-endian host
  out.header += json;
  return out;
}

void write(std::ostream& out, const Prepared& prepared) {
  out.write(prepared.header.data(), static_cast<std::streamsize>(prepared.header.size()));
  for (const auto& t : prepared.tensors) {
    out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
  }
}

}  // namespace

void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const Prepared prepared = prepare(path, tensors, metadata);  // throws before touching the file
  write_file_atomic(path, [&](std::ostream& out) { write(out, prepared); });
}

std::string serialize_safetensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  std::ostringstream out;
  write(out, prepare("serialize_safetensors", tensors, metadata));
  return out.str();
}

}  // namespace adalora::io
