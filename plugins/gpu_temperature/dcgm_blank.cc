#include "plugins/gpu_temperature/dcgm_blank.h"

#include <cmath>

namespace blockhealth::policies::gpu_temperature {
namespace {

constexpr double kInt32Blank = 2147483632.0;           // 0x7ffffff0
constexpr double kInt32BlankEnd = 2147483647.0;        // 0x7fffffff
constexpr double kInt64Blank = 9223372036854775792.0;  // 0x7ffffffffffffff0 (rounds to 2^63)
constexpr double kFp64Blank = 140737488355328.0;       // 2^47
constexpr double kFp64BlankEnd = kFp64Blank + 15.0;
constexpr double kMinPlausible = -100.0;
constexpr double kMaxPlausible = 300.0;

}  // namespace

bool is_dcgm_blank(double value) {
  return (value >= kInt32Blank && value <= kInt32BlankEnd) ||
         (value >= kFp64Blank && value <= kFp64BlankEnd) || value >= kInt64Blank;
}

ReadingProblem classify_celsius(double value) {
  if (!std::isfinite(value)) return ReadingProblem::kNotANumber;
  if (is_dcgm_blank(value)) return ReadingProblem::kDcgmBlank;
  if (value < kMinPlausible || value > kMaxPlausible) return ReadingProblem::kImplausible;
  return ReadingProblem::kNone;
}

std::string_view describe(ReadingProblem problem) {
  switch (problem) {
    case ReadingProblem::kNone:
      return "";
    case ReadingProblem::kNotANumber:
      return "not a finite number";
    case ReadingProblem::kDcgmBlank:
      return "a DCGM blank value";
    case ReadingProblem::kImplausible:
      return "an implausible value";
  }
  return "";
}

}  // namespace blockhealth::policies::gpu_temperature
