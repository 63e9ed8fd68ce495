#include "core/actions/bearer_token.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace blockhealth {
namespace {

constexpr std::size_t kMaxTokenFile = std::size_t{64} * 1024;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

Result<std::string> read_bearer_token(const std::filesystem::path& path) {
  const std::string where = "token_file '" + path.string() + "'";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail(where + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(where + ": cannot open it: " + std::strerror(errno));
  std::string text;
  text.resize(kMaxTokenFile + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return fail(where + ": cannot read it: " + std::strerror(errno));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxTokenFile) return fail(where + ": is over 64 KiB; expected a token");
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  if (begin == end) return fail(where + ": is empty; expected a token");
  std::string token = text.substr(begin, end - begin);
  for (const char c : token) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return fail(where + ": the token holds a control character (line break, tab...)");
    }
  }
  return success(std::move(token));
}

}  // namespace blockhealth
