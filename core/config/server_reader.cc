#include "core/config/server_reader.h"

#include "core/config/byte_size.h"
#include "core/config/tls_reader.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kMinRequestTimeout{100};
constexpr milliseconds kMaxRequestTimeout{3600LL * 1000};
constexpr int kMaxThreads = 64;
constexpr std::int64_t kMinConnections = 16;
constexpr std::int64_t kMaxConnections = 1'000'000;

}  // namespace

const std::vector<std::string_view>& server_keys() {
  static const std::vector<std::string_view> keys = {"listen",         "auth_token_file",
                                                     "body_limit",     "request_timeout",
                                                     "threads",        "max_connections",
                                                     "max_watches",    "max_instances_per_block",
                                                     "max_api_blocks", "tls"};
  return keys;
}

ServerConfig read_server(const MapReader& r, const std::filesystem::path& base_dir) {
  ServerConfig out;
  if (auto listen = r.listen_address("listen", "127.0.0.1:30201")) out.listen = std::move(*listen);
  out.auth_token_file = r.path("auth_token_file", base_dir);
  out.tls = read_server_tls(r, base_dir);
  if (auto v = r.byte_size("body_limit", kMinBodyLimit, kMaxBodyLimit)) out.body_limit = *v;
  if (auto v = r.duration("request_timeout", kMinRequestTimeout, kMaxRequestTimeout)) {
    out.request_timeout = *v;
  }
  if (auto v = r.integer("threads", 1, kMaxThreads)) out.threads = static_cast<int>(*v);
  if (auto v = r.integer("max_connections", kMinConnections, kMaxConnections)) {
    out.max_connections = static_cast<std::size_t>(*v);
  }
  if (auto v = r.integer("max_watches", 1, kMaxConnections)) {
    out.max_watches = static_cast<std::size_t>(*v);
  }
  if (auto v = r.integer("max_instances_per_block", 1, 10'000'000)) {
    out.max_instances_per_block = static_cast<std::size_t>(*v);
  }
  if (auto v = r.integer("max_api_blocks", 0, 1'000'000)) {
    out.max_api_blocks = static_cast<std::size_t>(*v);
  }
  return out;
}

}  // namespace blockhealth
