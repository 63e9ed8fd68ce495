// BlockSource: where a block was defined: the config file, or over HTTP
// (PUT /v1/blocks/<id>, core/config/api_block_reader.h). Every block's
// config and view carries it.
#ifndef BLOCKHEALTH_CORE_MODEL_BLOCK_SOURCE_H
#define BLOCKHEALTH_CORE_MODEL_BLOCK_SOURCE_H

#include <string_view>

namespace blockhealth {

enum class BlockSource { kFile, kApi };

// "file", "api": the `source` of GET /v1/blocks/<id>.
inline std::string_view to_string(BlockSource s) {
  return s == BlockSource::kApi ? "api" : "file";
}

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_BLOCK_SOURCE_H
