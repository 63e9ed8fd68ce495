#include "core/wire/plugins_json.h"

#include "core/wire/engine_json.h"
#include "core/wire/json_writer.h"

namespace blockhealth::wire {

std::string plugins_body(const PluginsView& view) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("dirs").begin_array();
  for (const auto& dir : view.dirs) w.string(dir.string());
  w.end_array();
  w.key("plugins").begin_array();
  for (const auto& plugin : view.plugins) {
    w.begin_object();
    w.key("name").string(plugin->name());
    w.key("version").string(plugin->version());
    w.key("description").string(plugin->description());
    w.key("abi").string(std::to_string(plugin->abi_major()) + "." +
                        std::to_string(plugin->abi_minor()));
    w.key("path").string(plugin->path().string());
    w.key("content_hash").string(plugin->content_hash());
    w.key("has_manage").boolean(plugin->has_manage());
    w.key("due_instances_only").boolean(plugin->due_instances_only());
    w.end_object();
  }
  w.end_array();
  w.key("refused").begin_array();
  for (const PluginProblem& problem : view.refused) {
    w.begin_object();
    w.key("path").string(problem.path.string());
    w.key("error").string(problem.message);
    w.end_object();
  }
  w.end_array();
  w.key("policies").begin_array();
  for (const BlockPolicyState& p : view.policies) {
    w.begin_object();
    w.key("block_id").string(p.block_id);
    write_policy_state_members(w, p.state);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace blockhealth::wire
