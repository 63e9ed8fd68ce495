// ActionPlan: the blocks' `on_transition` actions taken out of a Config,
// ready for the dispatcher: YAML parameters already JSON, names given.
#ifndef BLOCKHEALTH_CORE_ACTIONS_ACTION_PLAN_H
#define BLOCKHEALTH_CORE_ACTIONS_ACTION_PLAN_H

#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/model/status.h"

namespace blockhealth {

struct PreparedAction {
  // "<kind>#<position in the block's on_transition, from 0>": "webhook#0",
  // "failure_policy#1", "alertmanager#2". Deliveries and metrics name
  // actions this way.
  std::string name;
  ActionKind kind = ActionKind::kWebhook;
  // kFailurePolicy: the .../executeFailurePolicy endpoint; kAlertmanager:
  // the .../api/v2/alerts endpoint.
  HttpUrl url;
  std::string failure_policy_id;              // kFailurePolicy only
  boost::json::value parameters;              // kFailurePolicy only; an object ({} when absent)
  std::map<std::string, std::string> labels;  // kAlertmanager only: extra alert labels
  std::chrono::milliseconds resend_every{60'000};  // kAlertmanager only
  // Statuses that trigger it (kAlertmanager: that fire an alert).
  std::vector<Status> to;
  std::map<std::string, std::string> headers;
  TlsConfig tls;  // for an https:// url
  std::optional<std::filesystem::path> token_file;
  std::chrono::milliseconds timeout{5'000};
  // Retries; absent: DispatcherOptions' max_attempts, backoff_base, backoff_cap.
  std::optional<int> max_attempts;
  std::optional<std::chrono::milliseconds> backoff;
  std::optional<std::chrono::milliseconds> max_backoff;

  bool triggers_on(Status s) const;
};

struct BlockActions {
  std::string block_id;
  std::chrono::milliseconds repeat_after{0};  // 0 = off
  std::vector<PreparedAction> actions;        // on_transition order

  // The action a stored delivery belongs to: the one named `name` when its
  // URL is still `url`, else the first of the same kind with that URL (the
  // list was reordered), else nullptr (it was removed or changed).
  const PreparedAction* find(std::string_view name, std::string_view url) const;
};

// Immutable once built; safe to read from any thread.
class ActionPlan {
 public:
  // Reads the actions of every block (blocks without actions are left out).
  // Converts each `parameters:` by the YAML 1.2 core schema; a value that
  // does not convert (already refused by the loader in practice) becomes
  // null and is reported in `warnings`, one line each. Reads YAML nodes: call
  // on the thread that owns the Config's nodes.
  static ActionPlan build(const Config& config, std::vector<std::string>* warnings);

  const BlockActions* block(std::string_view id) const;  // nullptr if it has no actions
  const std::map<std::string, BlockActions, std::less<>>& blocks() const { return blocks_; }

 private:
  std::map<std::string, BlockActions, std::less<>> blocks_;
};
using ActionPlanConstSharedPtr = std::shared_ptr<const ActionPlan>;

// "webhook", "failure_policy", "alertmanager".
std::string_view to_string(ActionKind kind);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_ACTION_PLAN_H
