#include "server/policy_scaffold.h"

#include <fstream>
#include <system_error>

namespace blockhealth::server {
namespace {

bool is_policy_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string fill(std::string_view text, const std::string& name, const std::string& lang,
                 const std::string& source) {
  std::string out(text);
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"@NAME@", name},
                                   {"@LANG@", lang},
                                   {"@SOURCE@", source}}) {
    for (std::size_t at = out.find(key); at != std::string::npos;
         at = out.find(key, at + value.size())) {
      out.replace(at, key.size(), value);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<std::filesystem::path>> write_policy_project(const std::string& name,
                                                                const std::string& lang,
                                                                const std::filesystem::path& dir) {
  if (!is_policy_name(name)) {
    return fail("policy name '" + name +
                "': 1 to 64 of a-z, 0-9 and _ (it is the .so's name "
                "and what a block's use: names)");
  }
  if (lang != "c" && lang != "cpp") return fail("--lang '" + lang + "': c or cpp");
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    return fail(dir.string() + " is not empty; give a new folder");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail("cannot create " + dir.string() + ": " + ec.message());
  const std::string source = name + (lang == "c" ? ".c" : ".cpp");
  std::vector<std::filesystem::path> written;
  for (const EmbeddedFile& f : policy_template_files()) {
    std::string target(f.name);
    if (target == "policy.c" || target == "policy.cpp") {
      if (target != "policy." + lang) continue;
      target = source;
    } else if (target == "schema.json") {
      target = name + ".schema.json";
    }
    const std::filesystem::path path = dir / target;
    std::ofstream out(path, std::ios::trunc);
    out << fill(f.bytes, name, lang, source);
    out.close();
    if (!out) return fail("cannot write " + path.string());
    written.push_back(path);
  }
  return written;
}

}  // namespace blockhealth::server
