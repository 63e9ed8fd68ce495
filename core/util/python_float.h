// Python's repr() of a float, which AIOS writes for ages ("lastMetrics":
// 12.959992408752441 as a JSON number, or "5.0s ago" in the tutorial's
// string form). Pure; thread-safe.
#ifndef BLOCKHEALTH_CORE_UTIL_PYTHON_FLOAT_H
#define BLOCKHEALTH_CORE_UTIL_PYTHON_FLOAT_H

#include <string>

namespace blockhealth {

// Appends repr(value) as CPython 3 writes it: the shortest digits that read
// back as `value`, in fixed notation with at least one digit after the
// point ("5.0", "0.001", "1234567890123456.0") when the decimal exponent is
// between -4 and 16, else in exponent notation with a signed exponent of at
// least two digits ("1e-05", "1.5e+16"); "inf", "-inf", "nan" otherwise.
// Never allocates beyond `out`'s growth.
void append_python_float_repr(std::string& out, double value);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_PYTHON_FLOAT_H
