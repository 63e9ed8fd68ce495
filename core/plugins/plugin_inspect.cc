#include "core/plugins/plugin_inspect.h"

#include <boost/json.hpp>
#include <cstdio>

namespace blockhealth {
namespace {

namespace json = boost::json;

void pretty(const json::value& value, std::string& out, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
  if (value.is_object() && !value.get_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& member : value.get_object()) {
      if (!first) out += ",\n";
      first = false;
      out += inner + json::serialize(json::string(member.key())) + ": ";
      pretty(member.value(), out, indent + 1);
    }
    out += "\n" + pad + "}";
  } else if (value.is_array() && !value.get_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const json::value& item : value.get_array()) {
      if (!first) out += ",\n";
      first = false;
      out += inner;
      pretty(item, out, indent + 1);
    }
    out += "\n" + pad + "]";
  } else {
    out += json::serialize(value);
  }
}

std::string hex_flags(std::uint32_t flags) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%x", flags);
  return buffer;
}

}  // namespace

std::string pretty_json(const std::string& json_text) {
  boost::system::error_code ec;
  const json::value value = json::parse(json_text, ec);
  if (ec) return json_text;
  std::string out;
  pretty(value, out, 0);
  return out;
}

std::string plugin_report(const PolicyPlugin& plugin) {
  const bh_policy_v1& table = plugin.table();
  std::string flags = hex_flags(table.flags);
  if (plugin.reentrant()) flags += " (reentrant)";
  if ((table.flags & BH_POLICY_FLAG_WHOLE_BLOCK) != 0 && plugin.abi_minor() >= 1) {
    flags += " (whole block)";
  }
  std::string out;
  out += "file:         " + plugin.path().string() + "\n";
  out += "name:         " + plugin.name() + "\n";
  out += "version:      " + plugin.version() + "\n";
  out += "description:  " + plugin.description() + "\n";
  out += "abi:          " + std::to_string(plugin.abi_major()) + "." +
         std::to_string(plugin.abi_minor()) + " (host " + std::to_string(BH_ABI_MAJOR) + "." +
         std::to_string(BH_ABI_MINOR) + ")\n";
  out += "struct_size:  " + std::to_string(table.struct_size) + "\n";
  out += "flags:        " + flags + "\n";
  out += std::string("manage:       ") + (plugin.has_manage() ? "yes" : "no") + "\n";
  out += "sha1:         " + plugin.content_hash() + "\n";
  if (plugin.params_schema().empty()) {
    out += "params_schema: none (any object)\n";
  } else {
    out += "params_schema:\n";
    const std::string schema = pretty_json(plugin.params_schema());
    std::size_t start = 0;
    while (start <= schema.size()) {
      const std::size_t end = schema.find('\n', start);
      const std::size_t stop = end == std::string::npos ? schema.size() : end;
      out += "  " + schema.substr(start, stop - start) + "\n";
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return out;
}

PluginInspection inspect_plugin(const std::filesystem::path& file) {
  Result<PolicyPluginConstSharedPtr> plugin = load_policy_plugin(file);
  if (!plugin) return PluginInspection{false, plugin.error().message + "\n"};
  return PluginInspection{true, plugin_report(**plugin)};
}

}  // namespace blockhealth
