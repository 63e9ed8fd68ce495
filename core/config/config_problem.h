// ConfigProblem: one thing wrong in a config file, with its position; and
// ProblemList, which collects them while a file is read so that a load
// reports every problem at once.
#ifndef BLOCKHEALTH_CORE_CONFIG_CONFIG_PROBLEM_H
#define BLOCKHEALTH_CORE_CONFIG_CONFIG_PROBLEM_H

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/util/result.h"

namespace blockhealth {

struct ConfigProblem {
  std::string file;     // the file label given to the loader
  int line = 1;         // 1-based
  int column = 1;       // 1-based
  std::string message;  // what is wrong and what was expected; no position
  friend bool operator==(const ConfigProblem&, const ConfigProblem&) = default;
};

// "<file>:<line>:<col>: <message>"
std::string format_problem(const ConfigProblem& p);

// All problems, formatted, one per line (no trailing newline).
Error problems_to_error(const std::vector<ConfigProblem>& problems);

// 1-based position of a yaml-cpp mark; {1, 1} when the mark is null.
SourceMark to_source_mark(const YAML::Mark& mark);

// Collects the problems of one file. Not thread-safe.
class ProblemList {
 public:
  explicit ProblemList(std::string file) : file_(std::move(file)) {}

  void add(SourceMark at, std::string message);
  void add(const YAML::Mark& at, std::string message) {
    add(to_source_mark(at), std::move(message));
  }

  bool empty() const { return problems_.empty(); }
  const std::string& file() const { return file_; }

  // The problems in file order (by line, then column, then the order they
  // were added), exact repeats removed (an aliased node is read twice).
  std::vector<ConfigProblem> sorted() const;

 private:
  std::string file_;
  std::vector<ConfigProblem> problems_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_CONFIG_PROBLEM_H
