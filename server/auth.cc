#include "server/auth.h"

#include <sys/stat.h>

#include <boost/algorithm/string/predicate.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace blockhealth::server {
namespace {

// Compares without an early exit, so the time taken does not reveal how
// much of the token matched.
bool equal_constant_time(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

}  // namespace

Result<std::string> read_token_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail("auth_token_file " + path.string() + ": cannot read it (" + std::strerror(errno) +
                ")");
  }
  if ((st.st_mode & S_IRWXO) != 0) {
    return fail("auth_token_file " + path.string() +
                ": is accessible by others; chmod o-rwx it (e.g. 0600)");
  }
  std::ifstream in(path);
  if (!in) return fail("auth_token_file " + path.string() + ": cannot open it");
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  const auto first = token.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return fail("auth_token_file " + path.string() + ": is empty");
  const auto last = token.find_last_not_of(" \t\r\n");
  return success(token.substr(first, last - first + 1));
}

void WriteAuth::set_token(std::optional<std::string> token) {
  token_.store(token ? std::make_shared<const std::string>(std::move(*token)) : nullptr);
}

std::optional<Response> WriteAuth::check(const Request& req) const {
  const std::shared_ptr<const std::string> token = token_.load();
  if (!token) return std::nullopt;
  const std::string_view header = req[http::field::authorization];
  constexpr std::string_view kBearer = "bearer ";
  std::string_view why = "this endpoint needs Authorization: Bearer <token>";
  // RFC 7235 section 2.1: the scheme is case-insensitive.
  if (boost::algorithm::iequals(header.substr(0, kBearer.size()), kBearer)) {
    if (equal_constant_time(header.substr(kBearer.size()), *token)) return std::nullopt;
    why = "the bearer token is not valid";
  }
  Response res = error_response(req, http::status::unauthorized, why);
  res.set(http::field::www_authenticate, R"(Bearer realm="blockhealthd")");
  return res;
}

}  // namespace blockhealth::server
