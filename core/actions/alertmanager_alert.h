// The alert an `alertmanager:` action sends for a transition: its labels
// (its identity in Alertmanager), annotations and times (docs/actions.md).
// Pure functions; thread-safe.
#ifndef BLOCKHEALTH_CORE_ACTIONS_ALERTMANAGER_ALERT_H
#define BLOCKHEALTH_CORE_ACTIONS_ALERTMANAGER_ALERT_H

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/actions/action_plan.h"
#include "core/model/transition.h"
#include "core/wire/alertmanager_body.h"

namespace blockhealth {

// "BlockInstanceDegraded", "BlockInstanceUnhealthy", "BlockInstanceUnknown"
// ("BlockInstanceOk" for ok, which never fires).
std::string_view alertname_for(Status s);

// The alert of `t` (whose t.to fires for `action`):
//   labels      alertname (alertname_for(t.to)), block, instance_id, policy
//               (left out when t.policy is empty), status, then the
//               action's `labels:` by name;
//   annotations reason, evidence (compact JSON; left out when none);
//   startsAt    t.time_ms; endsAt 0 (the caller sets it);
//   generatorURL <self_url>/v1/blocks/<block> when self_url is not "".
wire::PostableAlert alert_for(const Transition& t, const PreparedAction& action,
                              std::string_view self_url);

// "<self_url>/v1/blocks/<block_id>", or "" when self_url is "".
std::string generator_url_for(std::string_view self_url, std::string_view block_id);

// How long ahead a firing alert's endsAt is: 4 resend intervals, as
// Prometheus does, so that the alerts of a daemon that stopped resolve by
// themselves after a few missed resends.
std::chrono::milliseconds firing_ttl(std::chrono::milliseconds resend_every);

// `a` firing, sent at `now_ms`: endsAt now_ms + firing_ttl.
wire::PostableAlert firing_copy(wire::PostableAlert a, std::int64_t now_ms,
                                std::chrono::milliseconds resend_every);
// `a` resolved at `at_ms` (never before its startsAt).
wire::PostableAlert resolved_copy(wire::PostableAlert a, std::int64_t at_ms);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_ALERTMANAGER_ALERT_H
