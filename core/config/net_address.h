// The network addresses of the config: `server.listen` and http:// URLs
// (health_url, metrics_url, webhooks), checked with Boost.URL.
#ifndef BLOCKHEALTH_CORE_CONFIG_NET_ADDRESS_H
#define BLOCKHEALTH_CORE_CONFIG_NET_ADDRESS_H

#include <string_view>

#include "core/config/config.h"
#include "core/util/result.h"

namespace blockhealth {

// "host:port" or "[ipv6]:port". The host is a name ([A-Za-z0-9.-]), an IPv4
// address or a bracketed IPv6 address; the port 0..65535. On failure the
// Error is a complete phrase naming the part that is wrong. Thread-safe.
Result<ListenAddress> parse_listen_address(std::string_view text);

// An absolute http:// or https:// URL (HttpUrl::tls) with a host, an optional port 1..65535, a path
// and a query; no user info, no fragment. On failure the Error is a complete
// phrase naming the part that is wrong
// ("'ftp://x/' is not a valid http:// or https:// URL: the scheme must be
// http or https, ...").
// Thread-safe.
Result<HttpUrl> parse_http_url(std::string_view text);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_NET_ADDRESS_H
