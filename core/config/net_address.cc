#include "core/config/net_address.h"

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <string>

namespace blockhealth {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A port of 1-5 digits, 0..65535; nullopt otherwise.
std::optional<std::uint16_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5 || !all_digits(s)) return std::nullopt;
  const unsigned long n = std::stoul(std::string(s));
  if (n > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(n);
}

bool is_host_name(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.front() == '.' || s.back() == '-') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Error bad_listen(std::string_view text, std::string_view why) {
  return fail("expected host:port like 127.0.0.1:30201 or [::1]:30201, got '" + std::string(text) +
              "' (" + std::string(why) + ")");
}

Error bad_url(std::string_view text, std::string_view why) {
  return fail("'" + std::string(text) +
              "' is not a valid http:// or https:// URL: " + std::string(why));
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return bad_listen(text, "no ']' after the IPv6 address");
    const std::string_view host = text.substr(1, close - 1);
    if (!boost::urls::parse_ipv6_address(host)) {
      return bad_listen(text, "'" + std::string(host) + "' is not an IPv6 address");
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return bad_listen(text, "the port is missing");
    }
    out.host = std::string(host);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad_listen(text, "the port is missing");
    const std::string_view host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return bad_listen(text, "an IPv6 address goes in brackets, like [::1]:30201");
    }
    if (host.empty()) {
      return bad_listen(text, "the host is missing; 0.0.0.0 listens on every interface");
    }
    bool numeric = true;
    for (char c : host) numeric = numeric && ((c >= '0' && c <= '9') || c == '.');
    if (numeric ? !boost::urls::parse_ipv4_address(host) : !is_host_name(host)) {
      return bad_listen(text, "'" + std::string(host) + "' is not a host name or an IPv4 address");
    }
    out.host = std::string(host);
    port_text = text.substr(colon + 1);
  }
  const auto port = parse_port(port_text);
  if (!port) {
    return bad_listen(
        text, "the port must be a number from 0 to 65535, got '" + std::string(port_text) + "'");
  }
  out.port = *port;
  return out;
}

Result<HttpUrl> parse_http_url(std::string_view text) {
  const auto parsed = boost::urls::parse_uri(text);  // fragments reported below
  if (!parsed) {
    if (text.find("://") == std::string_view::npos) {
      return bad_url(text, "it must start with http:// or https://");
    }
    return bad_url(text, parsed.error().message());
  }
  const boost::urls::url_view& u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::http && u.scheme_id() != boost::urls::scheme::https) {
    return bad_url(text, "the scheme must be http or https, not '" + std::string(u.scheme()) + "'");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return bad_url(text, "the host is missing");
  if (u.has_userinfo()) {
    return bad_url(text, "user info (user@) is not allowed; use token_file or headers");
  }
  if (u.host_type() == boost::urls::host_type::ipvfuture) {
    return bad_url(text, "the host is not a name, an IPv4 or an IPv6 address");
  }
  if (u.has_fragment()) return bad_url(text, "a fragment (#...) is not allowed");
  HttpUrl out;
  out.text = std::string(text);
  out.tls = u.scheme_id() == boost::urls::scheme::https;
  out.port = out.tls ? 443 : 80;
  out.host = u.host_address();
  if (u.has_port()) {
    const auto port = parse_port(u.port());
    if (!port || *port == 0) {
      return bad_url(
          text, "the port must be a number from 1 to 65535, got '" + std::string(u.port()) + "'");
    }
    out.port = *port;
  }
  out.target = std::string(u.encoded_path());
  if (out.target.empty()) out.target = "/";
  if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
  return out;
}

}  // namespace blockhealth
