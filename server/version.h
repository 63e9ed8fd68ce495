// The daemon's version, from the CMake project version.
#ifndef BLOCKHEALTH_SERVER_VERSION_H
#define BLOCKHEALTH_SERVER_VERSION_H

namespace blockhealth::server {

inline constexpr const char* kBlockhealthVersion = BLOCKHEALTH_VERSION;

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_VERSION_H
