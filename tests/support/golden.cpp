#include "tests/support/golden.h"

#include <cstdlib>
#include <filesystem>
#include <random>

#include "adalora/core/error.h"
#include "tests/support/suite_checks.h"

namespace adalora::testing {
namespace fs = std::filesystem;

std::string golden_dir() {
  if (const char* env = std::getenv("ADALORA_GOLDEN_DIR"); env != nullptr && *env != '\0') return env;
  return std::string(ADALORA_SOURCE_DIR) + "/../shared/golden";
}

std::string golden_path(const std::string& sub) {
  expect_golden_test_name();  // rule 3 of suite_checks.h, for every test that reads the data
  return golden_dir() + "/" + sub;
}

bool golden_exists(const std::string& sub) { return fs::exists(golden_path(sub)); }

std::vector<std::string> golden_files(const std::string& sub, const std::string& suffix) {
  std::vector<std::string> out;
  if (!golden_exists(sub)) return out;
  for (const auto& entry : fs::directory_iterator(golden_path(sub))) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> golden_cases(const std::string& sub, const std::string& marker_file) {
  std::vector<std::string> out;
  if (!golden_exists(sub)) return out;
  for (const auto& entry : fs::directory_iterator(golden_path(sub))) {
    if (entry.is_directory() && fs::exists(entry.path() / marker_file)) {
      out.push_back(entry.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

torch::Tensor tensor_from_json(const io::Json& j, torch::ScalarType dtype) {
  ADALORA_CHECK(j.is_object() && j.contains("shape") && j.contains("data"),
                "golden tensor: expected {\"shape\", \"data\"}, got ", j.dump().substr(0, 200));
  std::vector<int64_t> shape = j.at("shape").get<std::vector<int64_t>>();
  const auto& data = j.at("data");
  ADALORA_CHECK(data.is_array(), "golden tensor: data: expected an array");
  // Data may be nested or flat; flatten it.
  std::vector<double> flat;
  std::function<void(const io::Json&)> walk = [&](const io::Json& v) {
    if (v.is_array()) {
      for (const auto& e : v) walk(e);
    } else if (v.is_boolean()) {
      flat.push_back(v.get<bool>() ? 1.0 : 0.0);
    } else {
      flat.push_back(v.get<double>());
    }
  };
  walk(data);
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  ADALORA_CHECK(static_cast<int64_t>(flat.size()) == numel, "golden tensor: expected ", numel,
                " values for its shape, got ", flat.size());
  auto t = torch::from_blob(flat.data(), {numel}, torch::kFloat64).clone().reshape(shape);
  return t.to(dtype);
}

TempDir::TempDir() {
  std::random_device rd;
  auto base = fs::temp_directory_path() / str_cat("adalora_test_", rd(), "_", rd());
  fs::create_directories(base);
  path_ = base.string();
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

}  // namespace adalora::testing
