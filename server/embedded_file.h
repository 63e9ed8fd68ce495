// EmbeddedFile: a file of the source tree built into the binary by
// cmake/embed_files.cmake (the status page's files, the policy template).
#ifndef BLOCKHEALTH_SERVER_EMBEDDED_FILE_H
#define BLOCKHEALTH_SERVER_EMBEDDED_FILE_H

#include <string_view>

namespace blockhealth::server {

// Static storage: the views live as long as the process.
struct EmbeddedFile {
  std::string_view name;    // its name in its folder, e.g. "app.js"
  std::string_view bytes;   // its content
  std::string_view sha256;  // hex SHA-256 of the content, computed at build time
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_EMBEDDED_FILE_H
