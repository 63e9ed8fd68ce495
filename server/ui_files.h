// The status page's files (server/ui/), built into the binary: CMake turns
// each file into a byte array at build time (cmake/embed_files.cmake), so the
// daemon serves them with nothing to install and nothing fetched elsewhere.
#ifndef BLOCKHEALTH_SERVER_UI_FILES_H
#define BLOCKHEALTH_SERVER_UI_FILES_H

#include <span>

#include "server/embedded_file.h"

namespace blockhealth::server {

// Every file of the status page, in the order CMake lists them. Defined in
// the generated ui_files_data.cc.
std::span<const EmbeddedFile> ui_files();

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_UI_FILES_H
