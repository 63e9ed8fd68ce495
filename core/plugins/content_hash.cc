#include "core/plugins/content_hash.h"

#include <boost/uuid/detail/sha1.hpp>
#include <cstdio>

namespace blockhealth {

std::string content_hash(std::string_view bytes) {
  boost::uuids::detail::sha1 sha1;
  sha1.process_bytes(bytes.data(), bytes.size());
  boost::uuids::detail::sha1::digest_type digest{};
  sha1.get_digest(digest);
  std::string hex;
  hex.reserve(40);
  for (const unsigned int word : digest) {
    char chunk[9];
    std::snprintf(chunk, sizeof chunk, "%08x", word);
    hex += chunk;
  }
  return hex;
}

}  // namespace blockhealth
