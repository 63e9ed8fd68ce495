#include "core/config/config_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <system_error>

#include "core/config/aios_reader.h"
#include "core/config/block_reader.h"
#include "core/config/config_validation.h"
#include "core/config/remote_write_reader.h"
#include "core/config/server_reader.h"
#include "core/config/settings_reader.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr std::size_t kMaxFileSize = std::size_t{16} << 20;
constexpr milliseconds kMinRetention{60 * 1000};
constexpr milliseconds kMaxRetention{3650LL * 24 * 3600 * 1000};
constexpr SourceMark kFileStart{1, 1};
// Nodes of the document as read with every alias expanded where it is
// used, and nesting: a "billion laughs" of aliases is a few hundred bytes
// that every reader would walk exponentially.
constexpr std::size_t kMaxExpandedNodes = 1'000'000;

// The parser's events (nodes, aliases, anchors are not expanded) at most:
// more than a 16 MiB file can hold. Past it the parse is abandoned; this
// also stops yaml-cpp 0.7 where its parser never ends on some malformed
// inputs (",%" produces nodes forever; found by fuzz_config).
constexpr std::size_t kMaxEvents = 4'000'000;

struct TooManyEvents {};

// Counts the parser's events, throwing TooManyEvents past kMaxEvents.
class EventCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override { count(); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { count(); }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { count(); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    count();
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    count();
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    count();
  }
  void OnMapEnd() override {}
  void OnAnchor(const YAML::Mark&, const std::string&) override {}

 private:
  void count() {
    if (++events_ > kMaxEvents) throw TooManyEvents{};
  }
  std::size_t events_ = 0;
};

// Whether yaml-cpp parses `yaml` within kMaxEvents events. Syntax errors
// are left to the real load (which reports them with their position).
bool parses_within_bounds(const std::string& yaml) {
  std::istringstream in(yaml);
  YAML::Parser parser(in);
  EventCounter counter;
  try {
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (const TooManyEvents&) {
    return false;
  } catch (const YAML::Exception&) {
  }
  return true;
}

// Counts `node` and everything under it (aliases expanded) into `count`,
// stopping once past kMaxExpandedNodes (false then). Deeper than kMaxYamlDepth
// it does not descend: the readers report that, at its position.
bool within_bounds(const YAML::Node& node, std::size_t& count, int depth) {
  if (++count > kMaxExpandedNodes) return false;
  if (depth > kMaxYamlDepth) return true;
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!within_bounds(kv.first, count, depth + 1) ||
          !within_bounds(kv.second, count, depth + 1)) {
        return false;
      }
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (!within_bounds(item, count, depth + 1)) return false;
    }
  }
  return true;
}

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

// The whole file, or nullopt with the reason reported at 1:1.
std::optional<std::string> read_whole_file(const fs::path& path, ProblemList& problems) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    problems.add(kFileStart, "cannot open the config file: " + errno_text(errno));
    return std::nullopt;
  }
  std::optional<std::string> out;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    problems.add(kFileStart, "cannot read the config file: " + errno_text(errno));
  } else if (S_ISDIR(st.st_mode)) {
    problems.add(kFileStart, "cannot read the config file: it is a folder");
  } else {
    std::string text;
    char buf[16384];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        problems.add(kFileStart, "cannot read the config file: " + errno_text(errno));
        break;
      }
      if (n == 0) {
        out = std::move(text);
        break;
      }
      text.append(buf, static_cast<std::size_t>(n));
      if (text.size() > kMaxFileSize) {
        problems.add(kFileStart, "the config file is larger than 16MiB");
        break;
      }
    }
  }
  ::close(fd);
  return out;
}

// $STATE_DIRECTORY (its first entry, as systemd sets it) when absolute,
// else <config folder>/state.
fs::path default_state_dir(const fs::path& base_dir) {
  if (const char* env = std::getenv("STATE_DIRECTORY"); env != nullptr && *env != '\0') {
    std::string_view first(env);
    first = first.substr(0, first.find(':'));
    const fs::path p(first);
    if (p.is_absolute()) return p.lexically_normal();
  }
  return (base_dir / "state").lexically_normal();
}

std::vector<fs::path> read_plugins(const MapReader& top, const fs::path& base_dir) {
  std::vector<fs::path> dirs;
  const auto node = top.map("plugins");
  if (!node) return dirs;
  const MapReader r(*node, top.get("plugins")->mark(), "plugins", {"dirs"}, top.problems());
  const auto list = r.list("dirs");
  if (!list) return dirs;
  int i = 0;
  for (const auto& item : *list) {
    ++i;
    if (auto p = read_path(item, to_source_mark(item.Mark()),
                           "plugins: dirs: item " + std::to_string(i), base_dir, top.problems())) {
      dirs.push_back(std::move(*p));
    }
  }
  return dirs;
}

std::optional<Config> read_document(std::string_view yaml, const fs::path& base_dir,
                                    ProblemList& problems) {
  const std::string text(yaml);
  if (!parses_within_bounds(text)) {
    problems.add(kFileStart,
                 "the config has more than 4000000 YAML values, or is malformed in a way the "
                 "YAML parser cannot finish reading; refusing it");
    return std::nullopt;
  }
  const std::vector<YAML::Node> docs = YAML::LoadAll(text);
  if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
    problems.add(kFileStart,
                 "the config file is empty; expected a map of settings such as "
                 "'blocks:' (see docs/configuration.md)");
    return std::nullopt;
  }
  if (docs.size() > 1) {
    problems.add(docs[1].Mark(), "only one YAML document is allowed; a second one starts here");
  }
  const YAML::Node& root = docs[0];
  if (std::size_t count = 0; !within_bounds(root, count, 0)) {
    problems.add(kFileStart,
                 "the config expands to more than 1000000 values (counting every use of an "
                 "alias as a copy); refusing it (aliases of aliases grow exponentially)");
    return std::nullopt;
  }
  if (!root.IsMap()) {
    problems.add(root.Mark(),
                 "the config must be a map of settings (server, defaults, "
                 "blocks...), got " +
                     describe_node(root));
    return std::nullopt;
  }
  const MapReader r(root, kFileStart, "",
                    {"server", "state_dir", "history_retention", "plugins", "defaults", "blocks",
                     "aios", "remote_write"},
                    problems);
  Config config;
  config.source = problems.file();
  config.base_dir = base_dir;
  if (const auto node = r.map("server")) {
    const MapReader server(*node, r.get("server")->mark(), "server", server_keys(), problems);
    config.server = read_server(server, base_dir);
  }
  config.state_dir = r.path("state_dir", base_dir).value_or(default_state_dir(base_dir));
  if (auto v = r.duration("history_retention", kMinRetention, kMaxRetention)) {
    config.history_retention = *v;
  }
  config.plugin_dirs = read_plugins(r, base_dir);
  if (const auto node = r.map("defaults")) {
    const MapReader defaults(*node, r.get("defaults")->mark(), "defaults", block_setting_keys(),
                             problems);
    read_block_settings(defaults, config.defaults, base_dir);
  }
  if (const auto list = r.list("blocks")) {
    config.blocks = read_blocks(*list, config.defaults, base_dir, problems);
  }
  if (const auto node = r.map("aios")) {
    const MapReader aios(*node, r.get("aios")->mark(), "aios", aios_keys(), problems);
    config.aios = read_aios(aios);
    if (config.aios.mgmt_block && config.find_block(*config.aios.mgmt_block) == nullptr) {
      problems.add(aios.get("mgmt_block")->mark(),
                   "aios: mgmt_block: no block '" + *config.aios.mgmt_block + "' in blocks:");
    }
  }
  if (const auto node = r.map("remote_write")) {
    const MapReader section(*node, r.get("remote_write")->mark(), "remote_write",
                            remote_write_keys(), problems);
    config.remote_write = read_remote_write(section);
  }
  for (BlockConfig& block : config.blocks) block.aios = config.aios.shape;
  validate_config(config, problems);
  return config;
}

Result<Config> load(std::string_view yaml, std::string label, const fs::path& base_dir,
                    std::vector<ConfigProblem>* out_problems) {
  ProblemList problems(std::move(label));
  std::optional<Config> config;
  try {
    config = read_document(yaml, base_dir, problems);
  } catch (const YAML::Exception& e) {  // ParserException: syntax; others should not happen
    problems.add(e.mark, "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    problems.add(kFileStart, std::string("cannot read the config: ") + e.what());
  }
  std::vector<ConfigProblem> list = problems.sorted();
  if (out_problems != nullptr) *out_problems = list;
  if (!list.empty() || !config) return problems_to_error(list);
  return std::move(*config);
}

fs::path folder_of(const fs::path& file) {
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  if (ec) abs = file;
  return abs.parent_path().lexically_normal();
}

}  // namespace

Result<std::string> read_config_text(const fs::path& path) {
  ProblemList read_problems(path.string());
  auto text = read_whole_file(path, read_problems);
  if (!text) return problems_to_error(read_problems.sorted());
  return success(std::move(*text));
}

Result<Config> load_config_file(const fs::path& path, std::vector<ConfigProblem>* problems) {
  ProblemList read_problems(path.string());
  const auto text = read_whole_file(path, read_problems);
  if (!text) {
    std::vector<ConfigProblem> list = read_problems.sorted();
    if (problems != nullptr) *problems = list;
    return problems_to_error(list);
  }
  return load(*text, path.string(), folder_of(path), problems);
}

Result<Config> load_config_string(std::string_view yaml, std::string file_label,
                                  std::vector<ConfigProblem>* problems) {
  const fs::path base_dir = folder_of(fs::path(file_label));
  return load(yaml, std::move(file_label), base_dir, problems);
}

}  // namespace blockhealth
