// JSON text the way people read it: Boost.JSON's serializer writes doubles
// in scientific notation ("3.4E1"); this one writes the shortest decimal that
// round-trips ("34", "612.337"), and integers as integers.
#ifndef BLOCKHEALTH_CORE_UTIL_JSON_TEXT_H
#define BLOCKHEALTH_CORE_UTIL_JSON_TEXT_H

#include <boost/json/value.hpp>
#include <string>

namespace blockhealth {

// Compact JSON. Non-finite doubles (which JSON cannot hold) become null.
std::string to_json_text(const boost::json::value& v);
void append_json_text(std::string& out, const boost::json::value& v);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_JSON_TEXT_H
