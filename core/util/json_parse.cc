#include "core/util/json_parse.h"

#include <boost/json/stream_parser.hpp>
#include <string>

namespace blockhealth {

namespace {
constexpr std::size_t kMaxDepth = 32;
}  // namespace

Result<boost::json::value> parse_json_body(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::json::stream_parser parser({}, options);
  boost::system::error_code ec;
  const std::size_t used = parser.write(body.data(), body.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    // After a failed write(), `used` is where the parser stopped; a failed
    // finish() means the body ended too early.
    return fail("invalid JSON at byte " + std::to_string(used) + ": " + ec.message());
  }
  return parser.release();
}

}  // namespace blockhealth
