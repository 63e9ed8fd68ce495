// `blockhealthd policy new NAME --lang c|cpp`: writes an out-of-tree policy
// project (CMake with find_package(blockhealth), the source, its schema,
// CASES.yaml and a README) from the template in server/policy_template/,
// built into the binary. The project builds against an installed SDK and
// passes `blockhealthd test CASES.yaml` as written.
#ifndef BLOCKHEALTH_SERVER_POLICY_SCAFFOLD_H
#define BLOCKHEALTH_SERVER_POLICY_SCAFFOLD_H

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/util/result.h"
#include "server/embedded_file.h"

namespace blockhealth::server {

// The template's files (generated policy_template_data.cc).
std::span<const EmbeddedFile> policy_template_files();

// Writes the project for policy `name` ([a-z0-9_]+, as policy names are) in
// language `lang` ("c" or "cpp") into `dir`, which must not exist or be
// empty. Returns the paths written. Error: a bad name or language, or a
// folder that is not empty or cannot be written; nothing is left half
// written then except the files already named in the message.
Result<std::vector<std::filesystem::path>> write_policy_project(const std::string& name,
                                                                const std::string& lang,
                                                                const std::filesystem::path& dir);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_POLICY_SCAFFOLD_H
