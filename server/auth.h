// Bearer-token authorization of write endpoints.
#ifndef BLOCKHEALTH_SERVER_AUTH_H
#define BLOCKHEALTH_SERVER_AUTH_H

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/util/result.h"
#include "server/http_types.h"

namespace blockhealth::server {

// Reads a token file: its content with surrounding whitespace removed.
// Error when unreadable, empty, or readable by others (mode & 007).
Result<std::string> read_token_file(const std::filesystem::path& path);

// Holds the current token (none = writes are open). Thread-safe; the token
// can be swapped on reload while requests are checked.
class WriteAuth {
 public:
  void set_token(std::optional<std::string> token);
  // nullopt when the request may write; else a 401 response naming why.
  std::optional<Response> check(const Request& req) const;

 private:
  std::atomic<std::shared_ptr<const std::string>> token_;
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_AUTH_H
