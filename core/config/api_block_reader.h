// Blocks defined over HTTP (PUT /v1/blocks/<id>, docs/http-api.md): a JSON
// body of the same shape as one item of the YAML `blocks:` list, read by the
// same readers and checked by the same rules as a block of the config file,
// with problems located by JSON pointer (RFC 6901) into the body.
//
// How: the parsed body is written back out as YAML flow text with exactly
// one JSON value starting per line, and that text goes through the YAML
// block reader; a problem's line then names one JSON value. Positions in
// later messages about the block (a policy's `with:` against its plugin's
// schema, at plan time) use the label "api:<id>" and the same lines:
// api_problem() maps them back.
//
// Thread-safety: plain functions over their arguments.
#ifndef BLOCKHEALTH_CORE_CONFIG_API_BLOCK_READER_H
#define BLOCKHEALTH_CORE_CONFIG_API_BLOCK_READER_H

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/util/result.h"

namespace blockhealth {

// One thing wrong with a block body: where (a JSON pointer, "" for the
// whole body) and what, e.g. {"/policies/0/with/max_celsius",
// "block 'b': policy 'gpu_temperature': ... expected number, got string"}.
struct BodyProblem {
  std::string pointer;
  std::string message;
  friend bool operator==(const BodyProblem&, const BodyProblem&) = default;
};

// A block read from its JSON body.
struct ApiBlock {
  BlockConfig config;                 // source kApi, position_label "api:<id>"
  std::string body;                   // the body as stored: compact JSON, "id" included
  std::vector<std::string> pointers;  // by line (index 0 = line 1) of the text read
};

// The label positions of an API block's problems carry in place of a file
// name: "api:<id>".
std::string api_position_label(std::string_view block_id);

// Reads `body` as block `id` of a configuration whose file part is `file`
// (its `defaults:` apply, relative paths resolve against its folder, its
// `aios:` shape is copied in). The body may omit "id"; when present it must
// equal `id`. On failure returns an Error with every problem, one per line,
// "<pointer>: <message>", and fills *problems (when given) with the same.
// Refuses: a body that is not JSON or not an object (with the byte offset),
// and everything the config file's reader refuses in a block.
Result<ApiBlock> read_api_block(std::string_view body, std::string_view id, const Config& file,
                                std::vector<BodyProblem>* problems = nullptr);

// A message line "<label>:<line>:<col>: <what>" about `block` (as made by
// build_engine_plan for an API block) turned into a BodyProblem; nullopt when
// the line is about something else.
std::optional<BodyProblem> api_problem(std::string_view message_line, const ApiBlock& block);

// "<pointer>: <message>" lines, as in read_api_block's Error; a problem with
// the pointer "" is written as its message alone.
std::string format_body_problems(const std::vector<BodyProblem>& problems);

// Adds to `config` (its blocks from the file) each of `api` whose id the
// file does not define, in id order; ids the file also defines are left
// out, appended to *shadowed (when given), and their file blocks get
// shadows_api_block = true (the file wins; the HTTP definition stays
// stored and comes back when the file drops the block).
void add_api_blocks(Config& config, const std::map<std::string, ApiBlock>& api,
                    std::vector<std::string>* shadowed = nullptr);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_API_BLOCK_READER_H
