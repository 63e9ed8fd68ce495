#include "core/discovery/instance_template.h"

namespace blockhealth {

void split_target(std::string_view target, std::string* host, std::string* port) {
  std::string_view h = target;
  std::string_view p;
  if (!target.empty() && target.front() == '[') {
    const auto close = target.find(']');
    if (close != std::string_view::npos) {
      h = target.substr(1, close - 1);
      const std::string_view rest = target.substr(close + 1);
      if (!rest.empty() && rest.front() == ':') p = rest.substr(1);
    }
  } else if (const auto colon = target.rfind(':');
             colon != std::string_view::npos && target.find(':') == colon) {
    h = target.substr(0, colon);
    p = target.substr(colon + 1);
  }
  *host = std::string(h);
  *port = std::string(p);
}

Result<InstanceTemplate> InstanceTemplate::parse(std::string_view text) {
  InstanceTemplate out;
  out.text_ = std::string(text);
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$') {
      literal += text[i++];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      literal += '$';
      i += 2;
      continue;
    }
    const std::string at = " at character " + std::to_string(i + 1);
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      return fail("'$'" + at + " must start a placeholder like ${target} (write $$ for a '$')");
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) return fail("unclosed '${'" + at);
    const std::string_view name = text.substr(i + 2, close - i - 2);
    Part part{Kind::kLiteral, {}};
    if (name == "target") {
      part.kind = Kind::kTarget;
    } else if (name == "host") {
      part.kind = Kind::kHost;
    } else if (name == "port") {
      part.kind = Kind::kPort;
    } else if (name.substr(0, 7) == "labels." && name.size() > 7) {
      part.kind = Kind::kLabel;
      part.value = std::string(name.substr(7));
    } else {
      return fail("unknown placeholder ${" + std::string(name) + "}" + at +
                  " (known: ${target}, ${host}, ${port}, ${labels.NAME})");
    }
    if (!literal.empty()) out.parts_.push_back({Kind::kLiteral, std::move(literal)});
    literal.clear();
    out.parts_.push_back(std::move(part));
    i = close + 1;
  }
  if (!literal.empty()) out.parts_.push_back({Kind::kLiteral, std::move(literal)});
  return out;
}

Result<std::string> InstanceTemplate::expand(const DiscoveredTarget& target) const {
  std::string host;
  std::string port;
  split_target(target.target, &host, &port);
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kLiteral:
        out += p.value;
        break;
      case Kind::kTarget:
        out += target.target;
        break;
      case Kind::kHost:
        out += host;
        break;
      case Kind::kPort:
        out += port;
        break;
      case Kind::kLabel: {
        const auto it = target.labels.find(p.value);
        if (it == target.labels.end()) {
          return fail("label '" + p.value + "' (in " + text_ + ") is not set on this target");
        }
        out += it->second;
        break;
      }
    }
  }
  return success(std::move(out));
}

}  // namespace blockhealth
