// Result<T>: the value or the error of an operation that can fail on
// outside input (files, config, plugins, requests). Used across every module
// boundary in core/ and server/ instead of exceptions.
#ifndef BLOCKHEALTH_CORE_UTIL_RESULT_H
#define BLOCKHEALTH_CORE_UTIL_RESULT_H

#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace blockhealth {

// What kind of failure an Error is, for callers that map it (e.g. to an
// HTTP status). Most errors are kInvalid: bad input.
enum class ErrorCode { kInvalid, kNotFound, kConflict, kBusy, kTimeout, kUnavailable };

// An error for humans: `message` says what went wrong and where (file,
// line, column, field, URL...), complete enough to print as is.
struct Error {
  std::string message;
  ErrorCode code = ErrorCode::kInvalid;
};

// Thrown only by Result<T>::value() on an error; code that checks has_value()
// (or uses operator*) never sees it.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(const Error& e) : std::runtime_error(e.message) {}
};

// Found by ADL when boost::system::result<T, Error>::value() holds an error.
[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw ErrorException(e);
}

template <typename T>
using Result = boost::system::result<T, Error>;

// Shorthand for `return fail("...")` in functions returning Result<T>.
inline Error fail(std::string message) {
  return Error{std::move(message)};
}
inline Error fail(ErrorCode code, std::string message) {
  return Error{std::move(message), code};
}

// A Result holding `value`. Needed for Result<std::string>: Error, an
// aggregate starting with a string, is constructible from one too, so the
// implicit conversion is (rightly) ambiguous.
template <typename T>
Result<std::decay_t<T>> success(T&& value) {
  return Result<std::decay_t<T>>(boost::system::in_place_value, std::forward<T>(value));
}

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_RESULT_H
