// Loads the daemon's YAML configuration (schema: docs/configuration.md).
#ifndef BLOCKHEALTH_CORE_CONFIG_CONFIG_LOADER_H
#define BLOCKHEALTH_CORE_CONFIG_CONFIG_LOADER_H

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/config_problem.h"
#include "core/util/result.h"

namespace blockhealth {

// Reads, parses and validates the file at `path`. Relative paths in it are
// resolved against the file's folder; messages name the file as `path` was
// given.
//
// On failure the Error lists every problem found, one per line, each
// "<file>:<line>:<col>: <what is wrong and what was expected>", in file
// order; a file that cannot be read, is empty, or is not YAML gives one
// problem (at 1:1, or at yaml-cpp's position of the syntax error). When
// `problems` is not null it receives the same list, structured (empty on
// success).
//
// Reads $STATE_DIRECTORY when `state_dir` is not set (see
// docs/configuration.md). Thread-safe as long as nobody changes the
// environment meanwhile.
Result<Config> load_config_file(const std::filesystem::path& path,
                                std::vector<ConfigProblem>* problems = nullptr);

// The text of the config file, as load_config_file reads it (at most
// 16 MiB); on failure the same problems it reports, one line.
Result<std::string> read_config_text(const std::filesystem::path& path);

// The same for YAML text already in memory. `file_label` is the file name
// used in messages and in Config::source; relative paths are resolved
// against its folder (made absolute from the current directory), so a bare
// label like "<reload>" resolves them against the current directory.
Result<Config> load_config_string(std::string_view yaml, std::string file_label,
                                  std::vector<ConfigProblem>* problems = nullptr);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_CONFIG_LOADER_H
