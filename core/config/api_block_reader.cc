#include "core/config/api_block_reader.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <boost/json.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/config/block_reader.h"
#include "core/config/config_problem.h"
#include "core/config/config_validation.h"
#include "core/util/json_parse.h"
#include "core/util/json_text.h"

namespace blockhealth {
namespace {

namespace json = boost::json;

// Longer keys are refused before the YAML reader sees them (YAML limits an
// implicit key to 1024 characters; no key of a block is near this).
constexpr std::size_t kMaxKeyLength = 256;

// RFC 6901: "~" is written "~0" and "/" is written "~1".
std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// Writes a JSON value as YAML flow text in which every value starts on a
// line of its own (a container's closing bracket too, on a line naming the
// container), and records each line's JSON pointer.
class FlowWriter {
 public:
  void write_document(const json::value& root) {
    new_line("", 0);
    write(root, "", 0);
  }
  std::string& text() { return text_; }
  std::vector<std::string>& pointers() { return pointers_; }
  std::vector<BodyProblem>& problems() { return problems_; }

 private:
  void new_line(const std::string& pointer, int depth) {
    if (!pointers_.empty()) text_ += '\n';
    pointers_.push_back(pointer);
    text_.append(static_cast<std::size_t>(depth) + 1, ' ');
  }

  void write(const json::value& v, const std::string& pointer, int depth) {
    if (const json::object* obj = v.if_object()) {
      if (obj->empty()) {
        text_ += "{}";
        return;
      }
      text_ += '{';
      bool first = true;
      for (const auto& [key, value] : *obj) {
        const std::string child = pointer + "/" + pointer_token(key);
        if (key.size() > kMaxKeyLength) {
          problems_.push_back({child, "a key longer than " + std::to_string(kMaxKeyLength) +
                                          " characters is not a key of a block"});
        }
        if (!first) text_ += ',';
        first = false;
        new_line(child, depth + 1);
        append_json_text(text_, json::value(key));
        text_ += ": ";
        write(value, child, depth + 1);
      }
      new_line(pointer, depth);
      text_ += '}';
      return;
    }
    if (const json::array* arr = v.if_array()) {
      if (arr->empty()) {
        text_ += "[]";
        return;
      }
      text_ += '[';
      for (std::size_t i = 0; i < arr->size(); ++i) {
        if (i != 0) text_ += ',';
        const std::string child = pointer + "/" + std::to_string(i);
        new_line(child, depth + 1);
        write((*arr)[i], child, depth + 1);
      }
      new_line(pointer, depth);
      text_ += ']';
      return;
    }
    append_json_text(text_, v);
  }

  std::string text_;
  std::vector<std::string> pointers_;
  std::vector<BodyProblem> problems_;
};

const std::string& pointer_of_line(const std::vector<std::string>& pointers, int line) {
  static const std::string whole_body;  // the pointer "" names the whole body
  if (line < 1 || static_cast<std::size_t>(line) > pointers.size()) return whole_body;
  return pointers[static_cast<std::size_t>(line) - 1];
}

Error to_error(const std::vector<BodyProblem>& problems, std::vector<BodyProblem>* out) {
  if (out != nullptr) *out = problems;
  return Error{format_body_problems(problems), ErrorCode::kInvalid};
}

// Boost.JSON 1.81 reads a decimal number to a double within an ULP or two,
// not exactly (about 3 in 10 doubles do not read back from their own
// shortest text), so a stored body could read back as another text. Each
// double is moved to a fixed point of reading: a value whose own text reads
// back as itself. Tried in order: following the reading (converges for most);
// the nearest such value within 64 ULPs (reading can cycle between two
// values, found by fuzz_api_block); the value rounded to fewer significant
// digits. Over 20 million random doubles none needed more than the second.
bool reads_back(double d) {
  std::string text;
  append_json_text(text, json::value(d));
  boost::system::error_code ec;
  const json::value back = json::parse(text, ec);
  return !ec && back.is_double() && back.get_double() == d;
}

std::optional<double> follow_reading(double d) {
  for (int i = 0; i < 8; ++i) {
    std::string text;
    append_json_text(text, json::value(d));
    boost::system::error_code ec;
    const json::value back = json::parse(text, ec);
    if (ec || !back.is_double()) return std::nullopt;
    if (back.get_double() == d) return d;
    d = back.get_double();
  }
  return std::nullopt;
}

double readable_double(double d) {
  if (!std::isfinite(d) || reads_back(d)) return d;
  if (auto fixed = follow_reading(d)) return *fixed;
  double up = d;
  double down = d;
  for (int ulps = 1; ulps <= 64; ++ulps) {
    up = std::nextafter(up, HUGE_VAL);
    down = std::nextafter(down, -HUGE_VAL);
    if (std::isfinite(up) && reads_back(up)) return up;
    if (std::isfinite(down) && reads_back(down)) return down;
  }
  for (int digits = 16; digits >= 1; --digits) {
    std::array<char, 40> text{};
    std::snprintf(text.data(), text.size(), "%.*g", digits, d);
    boost::system::error_code ec;
    const json::value back = json::parse(text.data(), ec);
    if (ec || !back.is_double()) continue;
    if (auto fixed = follow_reading(back.get_double())) return *fixed;
  }
  return d;
}

void make_doubles_readable(json::value& v) {
  if (v.is_double()) {
    v = readable_double(v.get_double());
  } else if (json::object* o = v.if_object()) {
    for (auto& member : *o) make_doubles_readable(member.value());
  } else if (json::array* a = v.if_array()) {
    for (json::value& item : *a) make_doubles_readable(item);
  }
}

// Parses "<digits>" at the front of `s`, consuming them.
std::optional<int> take_int(std::string_view& s) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc()) return std::nullopt;
  s.remove_prefix(static_cast<std::size_t>(ptr - s.data()));
  return v;
}

}  // namespace

std::string api_position_label(std::string_view block_id) {
  return "api:" + std::string(block_id);
}

Result<ApiBlock> read_api_block(std::string_view body, std::string_view id, const Config& file,
                                std::vector<BodyProblem>* problems) {
  auto parsed = parse_json_body(body);
  if (!parsed) return to_error({{"", "the body is not JSON: " + parsed.error().message}}, problems);
  json::object* root = parsed->if_object();
  if (root == nullptr) {
    return to_error({{"",
                      "expected a JSON object with the block's instances, policies and "
                      "settings (the shape of one item of the config's blocks:)"}},
                    problems);
  }
  if (const json::value* body_id = root->if_contains("id")) {
    const json::string* s = body_id->if_string();
    if (s == nullptr || *s != id) {
      return to_error({{"/id", "the body's id (" + to_json_text(*body_id) +
                                   ") differs from the id in the path ('" + std::string(id) +
                                   "'); leave it out or make them equal"}},
                      problems);
    }
  } else {
    root->emplace("id", json::string(id));
  }

  make_doubles_readable(*parsed);
  FlowWriter writer;
  writer.write_document(*parsed);
  if (!writer.problems().empty()) return to_error(writer.problems(), problems);

  const std::string label = api_position_label(id);
  ProblemList found(label);
  std::optional<BlockConfig> block;
  try {
    const YAML::Node node = YAML::Load(writer.text());
    block = read_block_item(node, 1, file.defaults, file.base_dir, found);
    if (block) {
      validate_block(*block, found, [&](SourceMark at) {
        const std::string& p = pointer_of_line(writer.pointers(), at.line);
        return p.empty() ? std::string("the body") : p;
      });
    }
  } catch (const YAML::Exception& e) {  // not expected: the text is written above
    found.add(e.mark, "the body could not be read as a block: " + e.msg);
  }
  std::vector<BodyProblem> list;
  for (const ConfigProblem& p : found.sorted()) {
    list.push_back({pointer_of_line(writer.pointers(), p.line), p.message});
  }
  if (!list.empty() || !block) {
    if (list.empty()) list.push_back({"", "the body could not be read as a block"});
    return to_error(list, problems);
  }
  if (problems != nullptr) problems->clear();

  ApiBlock out;
  out.config = std::move(*block);
  out.config.source = BlockSource::kApi;
  out.config.position_label = label;
  out.config.aios = file.aios.shape;
  out.body = to_json_text(*parsed);
  out.pointers = std::move(writer.pointers());
  return out;
}

std::optional<BodyProblem> api_problem(std::string_view message_line, const ApiBlock& block) {
  const std::string& label = block.config.position_label;
  if (label.empty() || message_line.substr(0, label.size()) != label) return std::nullopt;
  std::string_view rest = message_line.substr(label.size());
  if (rest.empty() || rest.front() != ':') return std::nullopt;
  rest.remove_prefix(1);
  std::string pointer;
  std::string_view what = rest;
  if (auto line = take_int(rest); line && !rest.empty() && rest.front() == ':') {
    rest.remove_prefix(1);
    if (take_int(rest) && !rest.empty() && rest.front() == ':') {
      rest.remove_prefix(1);
      pointer = pointer_of_line(block.pointers, *line);
      what = rest;
    }
  }
  while (!what.empty() && what.front() == ' ') what.remove_prefix(1);
  return BodyProblem{std::move(pointer), std::string(what)};
}

std::string format_body_problems(const std::vector<BodyProblem>& problems) {
  std::string out;
  for (const BodyProblem& p : problems) {
    if (!out.empty()) out += '\n';
    if (!p.pointer.empty()) out += p.pointer + ": ";
    out += p.message;
  }
  return out;
}

void add_api_blocks(Config& config, const std::map<std::string, ApiBlock>& api,
                    std::vector<std::string>* shadowed) {
  const std::size_t file_blocks = config.blocks.size();
  for (const auto& [id, block] : api) {
    bool in_file = false;
    for (std::size_t i = 0; i < file_blocks; ++i) {
      if (config.blocks[i].id == id) {
        config.blocks[i].shadows_api_block = true;
        in_file = true;
      }
    }
    if (in_file) {
      if (shadowed != nullptr) shadowed->push_back(id);
      continue;
    }
    config.blocks.push_back(block.config);
    config.blocks.back().aios = config.aios.shape;
  }
}

}  // namespace blockhealth
