// Parsing of JSON request bodies with errors that say where.
#ifndef BLOCKHEALTH_CORE_UTIL_JSON_PARSE_H
#define BLOCKHEALTH_CORE_UTIL_JSON_PARSE_H

#include <boost/json/value.hpp>
#include <string_view>

#include "core/util/result.h"

namespace blockhealth {

// Parses `body` as one JSON value, nested at most 32 deep. On error the
// message gives the byte offset where parsing stopped and why:
// "invalid JSON at byte 28: syntax error". Never throws.
Result<boost::json::value> parse_json_body(std::string_view body);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_JSON_PARSE_H
