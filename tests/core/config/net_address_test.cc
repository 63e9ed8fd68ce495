#include "core/config/net_address.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

TEST(ParseListenAddress, ReadsHostsAndPorts) {
  struct Good {
    const char* text;
    const char* host;
    int port;
  };
  const Good table[] = {
      {"127.0.0.1:30201", "127.0.0.1", 30201},
      {"0.0.0.0:80", "0.0.0.0", 80},
      {"localhost:8080", "localhost", 8080},
      {"[::1]:30201", "::1", 30201},
      {"[::]:0", "::", 0},
      {"blockhealth-0.svc:65535", "blockhealth-0.svc", 65535},
  };
  for (const auto& [text, host, port] : table) {
    const auto a = parse_listen_address(text);
    ASSERT_TRUE(a.has_value()) << text << ": " << a.error().message;
    EXPECT_EQ(a->host, host);
    EXPECT_EQ(a->port, port);
    EXPECT_EQ(a->to_string(), text);
  }
}

TEST(ParseListenAddress, SaysWhichPartIsWrong) {
  struct Bad {
    const char* text;
    const char* why;
  };
  const Bad table[] = {
      {"127.0.0.1", "the port is missing"},
      {"30201", "the port is missing"},
      {":30201", "the host is missing; 0.0.0.0 listens on every interface"},
      {"::1:30201", "an IPv6 address goes in brackets, like [::1]:30201"},
      {"[::1]", "the port is missing"},
      {"[::1:30201", "no ']' after the IPv6 address"},
      {"[fe80::zz]:1", "'fe80::zz' is not an IPv6 address"},
      {"256.1.1.1:80", "'256.1.1.1' is not a host name or an IPv4 address"},
      {"my_host:80", "'my_host' is not a host name or an IPv4 address"},
      {"localhost:http", "the port must be a number from 0 to 65535, got 'http'"},
      {"localhost:65536", "the port must be a number from 0 to 65535, got '65536'"},
      {"localhost:", "the port must be a number from 0 to 65535, got ''"},
  };
  for (const auto& [text, why] : table) {
    const auto a = parse_listen_address(text);
    ASSERT_FALSE(a.has_value()) << text;
    EXPECT_EQ(a.error().message, "expected host:port like 127.0.0.1:30201 or [::1]:30201, got '" +
                                     std::string(text) + "' (" + why + ")");
  }
}

TEST(ParseHttpUrl, SplitsHostPortAndTarget) {
  struct Good {
    const char* text;
    const char* host;
    int port;
    const char* target;
  };
  const Good table[] = {
      {"http://10.0.0.5:18001/health", "10.0.0.5", 18001, "/health"},
      {"http://exporter/metrics", "exporter", 80, "/metrics"},
      {"http://hooks.example", "hooks.example", 80, "/"},
      {"https://hooks.example/x", "hooks.example", 443, "/x"},
      {"https://127.0.0.1:8443", "127.0.0.1", 8443, "/"},
      {"http://[fd00::6]:9400/metrics?x=1&y=2", "fd00::6", 9400, "/metrics?x=1&y=2"},
      {"HTTP://Host:81/a%20b", "Host", 81, "/a%20b"},
  };
  for (const auto& [text, host, port, target] : table) {
    const auto u = parse_http_url(text);
    ASSERT_TRUE(u.has_value()) << text << ": " << u.error().message;
    EXPECT_EQ(u->text, text);
    EXPECT_EQ(u->host, host);
    EXPECT_EQ(u->port, port);
    EXPECT_EQ(u->target, target);
    EXPECT_EQ(u->tls, std::string_view(text).substr(0, 6) == "https:");
  }
}

TEST(ParseHttpUrl, SaysWhichPartIsWrong) {
  struct Bad {
    const char* text;
    const char* why;
  };
  const Bad table[] = {
      {"10.0.0.5:18001/health", "it must start with http:// or https://"},
      {"localhost/health", "it must start with http:// or https://"},
      {"ftp://10.0.0.5/x", "the scheme must be http or https, not 'ftp'"},
      {"http:///health", "the host is missing"},
      {"http:/health", "the host is missing"},
      {"http://user:pw@host/x", "user info (user@) is not allowed; use token_file or headers"},
      {"http://host/x#frag", "a fragment (#...) is not allowed"},
      {"http://host:0/x", "the port must be a number from 1 to 65535, got '0'"},
      {"http://host:99999/x", "the port must be a number from 1 to 65535, got '99999'"},
      {"http://host:/x", "the port must be a number from 1 to 65535, got ''"},
  };
  for (const auto& [text, why] : table) {
    const auto u = parse_http_url(text);
    ASSERT_FALSE(u.has_value()) << text;
    EXPECT_EQ(u.error().message,
              "'" + std::string(text) + "' is not a valid http:// or https:// URL: " + why);
  }
}

TEST(ParseHttpUrl, ReportsBoostUrlsReasonForMalformedUrls) {
  const auto u = parse_http_url("http://ho st/x");
  ASSERT_FALSE(u.has_value());
  EXPECT_EQ(u.error().message.rfind("'http://ho st/x' is not a valid http:// or https:// URL: ", 0),
            0u)
      << u.error().message;
}

}  // namespace
}  // namespace blockhealth
