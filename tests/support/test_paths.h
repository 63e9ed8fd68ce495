// Where tests find fixtures, built plugins and binaries, and a scratch
// folder that cleans itself up.
#ifndef BLOCKHEALTH_TESTS_SUPPORT_TEST_PATHS_H
#define BLOCKHEALTH_TESTS_SUPPORT_TEST_PATHS_H

#include <filesystem>
#include <string>

namespace blockhealth::test {

std::filesystem::path fixtures_dir();     // tests/fixtures in the source tree
std::filesystem::path plugin_dir();       // built-in policies (<build>/lib/blockhealth/plugins)
std::filesystem::path test_plugin_dir();  // test-only plugins (<build>/test-plugins)
std::filesystem::path bin_dir();          // <build>/bin: blockhealthd and helpers
std::filesystem::path source_dir();
std::filesystem::path binary_dir();

// Reads a whole file; fails the current test (and returns "") when unreadable.
std::string read_file(const std::filesystem::path& path);
std::string read_fixture(const std::string& name);

// A fresh folder under the system temp dir, removed with everything in it
// when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name (creating folders) and returns the path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_TEST_PATHS_H
