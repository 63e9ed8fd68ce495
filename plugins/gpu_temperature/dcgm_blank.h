// Telling a temperature reading from DCGM's "no value" sentinels.
//
// DCGM reports a field it could not read as a *blank* value (dcgm_structs.h,
// DCGM_BLANK_VALUES): a base constant plus a small code (+1 not found,
// +2 not supported, +3 not permissioned, up to +15):
//   int32  DCGM_INT32_BLANK 0x7ffffff0 (2147483632) .. 0x7fffffff
//   int64  DCGM_INT64_BLANK 0x7ffffffffffffff0 (9223372036854775792) ..
//          INT64_MAX; as a double every one of these is >= 2^63 - 16
//   fp64   DCGM_FP64_BLANK 2^47 (140737488355328.0) .. 2^47 + 15
// dcgm-exporter prints them as plain numbers (e.g. 9223372036854775794 =
// DCGM_INT64_NOT_SUPPORTED), so they must never be read as temperatures.
#ifndef BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_DCGM_BLANK_H
#define BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_DCGM_BLANK_H

#include <string_view>

namespace blockhealth::policies::gpu_temperature {

// Why a sample's value is not a usable reading.
enum class ReadingProblem {
  kNone,         // a usable value
  kNotANumber,   // NaN or +-Inf
  kDcgmBlank,    // one of DCGM's blank sentinels
  kImplausible,  // finite, but outside any temperature a GPU can report
};

// Whether `value` lies in one of DCGM's blank ranges above.
bool is_dcgm_blank(double value);

// Classifies a temperature or margin value in degrees Celsius. Plausible
// means within [-100, 300]: wide enough for any real reading or margin,
// narrow enough to reject counters and sentinels of unknown origin.
ReadingProblem classify_celsius(double value);

// "not a finite number", "a DCGM blank value", "an implausible value"; "" for
// kNone.
std::string_view describe(ReadingProblem problem);

}  // namespace blockhealth::policies::gpu_temperature

#endif  // BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_DCGM_BLANK_H
