#include "core/config/remote_write_reader.h"

#include "core/prometheus/names.h"

namespace blockhealth {
namespace {

constexpr std::uint64_t kMinRemoteWriteDecoded = 1024;
constexpr std::uint64_t kMaxRemoteWriteDecoded = std::uint64_t{1} << 30;

// Why `name` cannot be a label remote_write routes by or drops, or "".
std::string remote_write_label_problem(std::string_view name) {
  if (!prometheus::is_valid_label_name(name)) {
    return "'" + std::string(name) + "' is not a label name (use [a-zA-Z_][a-zA-Z0-9_]*)";
  }
  if (name == "__name__") return "'__name__' is the metric name, not a label that can be used here";
  return "";
}

}  // namespace

const std::vector<std::string_view>& remote_write_keys() {
  static const std::vector<std::string_view> keys = {"enabled", "block_label", "instance_label",
                                                     "drop_labels", "max_decoded_bytes"};
  return keys;
}

RemoteWriteConfig read_remote_write(const MapReader& r) {
  RemoteWriteConfig out;
  if (auto v = r.boolean("enabled")) out.enabled = *v;
  for (const auto key : {"block_label", "instance_label"}) {
    auto v = r.string(key);
    if (!v) continue;
    if (const std::string why = remote_write_label_problem(*v); !why.empty()) {
      r.report(*r.get(key), why);
      continue;
    }
    (std::string_view(key) == "block_label" ? out.block_label : out.instance_label) = *v;
  }
  if (out.block_label == out.instance_label) {
    const auto at = r.get("instance_label") ? r.get("instance_label") : r.get("block_label");
    const std::string what = "block_label and instance_label are both '" + out.block_label +
                             "'; a block and its instance need two different labels";
    if (at) {
      r.report(*at, what);
    } else {
      r.problems().add(r.mark(), "remote_write: " + what);
    }
  }
  if (const auto list = r.list("drop_labels")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const YAML::Node item = (*list)[i];
      const SourceMark at = to_source_mark(item.Mark());
      const std::string label = r.label("drop_labels") + "[" + std::to_string(i) + "]";
      auto name = read_string(item, at, label, r.problems());
      if (!name) continue;
      if (const std::string why = remote_write_label_problem(*name); !why.empty()) {
        r.problems().add(at, label + ": " + why);
        continue;
      }
      out.drop_labels.push_back(std::move(*name));
    }
  }
  if (auto v = r.byte_size("max_decoded_bytes", kMinRemoteWriteDecoded, kMaxRemoteWriteDecoded)) {
    out.max_decoded_bytes = *v;
  }
  return out;
}

}  // namespace blockhealth
