#include "core/config/config_problem.h"

#include <algorithm>

namespace blockhealth {

std::string format_problem(const ConfigProblem& p) {
  return p.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + p.message;
}

Error problems_to_error(const std::vector<ConfigProblem>& problems) {
  std::string text;
  for (const auto& p : problems) {
    if (!text.empty()) text += '\n';
    text += format_problem(p);
  }
  return Error{std::move(text)};
}

SourceMark to_source_mark(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return SourceMark{1, 1};
  return SourceMark{mark.line + 1, mark.column + 1};
}

void ProblemList::add(SourceMark at, std::string message) {
  if (at.line <= 0) at = SourceMark{1, 1};
  problems_.push_back(ConfigProblem{file_, at.line, std::max(at.column, 1), std::move(message)});
}

std::vector<ConfigProblem> ProblemList::sorted() const {
  std::vector<ConfigProblem> out = problems_;
  std::stable_sort(out.begin(), out.end(), [](const ConfigProblem& a, const ConfigProblem& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  // Repeats share a position, so they sit in the same run of equal positions.
  std::vector<ConfigProblem> unique;
  std::size_t run_start = 0;
  for (auto& p : out) {
    if (!unique.empty() && (unique.back().line != p.line || unique.back().column != p.column)) {
      run_start = unique.size();
    }
    if (std::find(unique.begin() + static_cast<std::ptrdiff_t>(run_start), unique.end(), p) ==
        unique.end()) {
      unique.push_back(std::move(p));
    }
  }
  return unique;
}

}  // namespace blockhealth
