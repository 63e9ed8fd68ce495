#include "tests/support/test_paths.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <system_error>

namespace blockhealth::test {

std::filesystem::path fixtures_dir() {
  return BLOCKHEALTH_FIXTURES_DIR;
}
std::filesystem::path plugin_dir() {
  return BLOCKHEALTH_PLUGIN_DIR;
}
std::filesystem::path test_plugin_dir() {
  return BLOCKHEALTH_TEST_PLUGIN_DIR;
}
std::filesystem::path bin_dir() {
  return BLOCKHEALTH_BIN_DIR;
}
std::filesystem::path source_dir() {
  return BLOCKHEALTH_SOURCE_DIR;
}
std::filesystem::path binary_dir() {
  return BLOCKHEALTH_BINARY_DIR;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string read_fixture(const std::string& name) {
  return read_file(fixtures_dir() / name);
}

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "blockhealth-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
  const std::filesystem::path file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) ADD_FAILURE() << "cannot write " << file;
  return file;
}

}  // namespace blockhealth::test
