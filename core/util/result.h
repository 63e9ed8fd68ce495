// Result<T>: the value or the error of an operation that can fail on
// outside input (files, config, plugins, requests). Used across every module
// boundary in core/ and server/ instead of exceptions.
#ifndef BLOCKHEALTH_CORE_UTIL_RESULT_H
#define BLOCKHEALTH_CORE_UTIL_RESULT_H

#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>
#include <utility>

namespace blockhealth {

// An error for humans: `message` says what went wrong and where (file,
// line, column, field, URL...), complete enough to print as is.
struct Error {
  std::string message;
};

// Thrown only by Result<T>::value() on an error; code that checks has_value()
// (or uses operator*) never sees it.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(const Error& e) : std::runtime_error(e.message) {}
};

// Found by ADL when boost::system::result<T, Error>::value() holds an error.
[[noreturn]] inline void throw_exception_from_error(const Error& e,
                                                    const boost::source_location&) {
  throw ErrorException(e);
}

template <typename T>
using Result = boost::system::result<T, Error>;

// Shorthand for `return fail("...")` in functions returning Result<T>.
inline Error fail(std::string message) { return Error{std::move(message)}; }

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_RESULT_H
