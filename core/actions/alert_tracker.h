// AlertTracker: what each `alertmanager:` action has told Alertmanager,
// per (block, instance, action), and when each alert is due to be sent
// again. Pure bookkeeping over times given by the caller: no timers, no
// I/O. It says what to post; the dispatcher delivers it (outbox, retries).
//
// An instance has at most one alert per action: the one of the last status
// its actions were told about, when that status fires (is in the action's
// `to:`). Its labels are its identity in Alertmanager (alert_for()).
//  - notify(t): a transition told to the actions (not held), or a flap end.
//    If t.to fires: the alert becomes t's; a previous alert with other
//    labels is resolved in the same post; one with the same labels keeps
//    its startsAt (it is the same alert). Otherwise: the alert, if any, is
//    resolved and forgotten.
//  - held(t): a transition whose actions are held. Flapping: nothing
//    changes (the alert stays the last notified status's, as the engine's
//    notion of it does; a flap end that settles elsewhere is notified).
//    Maintenance or silence: an alert of another status than t.to is
//    resolved and forgotten; one of t.to (restored, see restore()) is
//    resolved but kept, to fire again when the hold ends. Held as already
//    notified before a restart: as notify(t) (the alert is sent again).
//    Removed by discovery: the alert, if any, is resolved and forgotten.
//  - take_due(): every alert is sent again each resend_every with a fresh
//    endsAt while its instance is not held; while it is held (maintenance,
//    silence: `open` says), it is resolved once and sent again once the
//    hold ends; while an earlier post of it is still pending (`busy`),
//    nothing is added (that post is sent with a fresh endsAt); once the
//    instance is gone, it is resolved and forgotten.
// Not thread-safe: the dispatcher guards it with its mutex.
#ifndef BLOCKHEALTH_CORE_ACTIONS_ALERT_TRACKER_H
#define BLOCKHEALTH_CORE_ACTIONS_ALERT_TRACKER_H

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/actions/action_plan.h"
#include "core/model/transition.h"
#include "core/wire/alertmanager_body.h"

namespace blockhealth {

class AlertTracker {
 public:
  // One POST to an action's endpoint: the alerts of one instance.
  struct Post {
    std::string block_id;
    std::string instance_id;
    std::string action;  // PreparedAction::name
    std::uint64_t transition_seq = 0;
    std::vector<wire::PostableAlert> alerts;  // never empty
    bool resend = false;                      // sent again as is (take_due), not news
  };
  // Whether an instance's actions may run now (not in maintenance, not
  // silenced).
  using OpenFn = std::function<bool(std::string_view block, std::string_view instance)>;
  // Whether a post of this (instance, action) is still pending.
  // (OpenFn's shape is also the one of "does this instance still exist".)
  using BusyFn = std::function<bool(const std::string& block, const std::string& instance,
                                    const std::string& action)>;

  // The daemon's own URL ("http://host:30201") for generatorURL; "" = none.
  // Alerts already tracked take it too.
  void set_self_url(std::string url);

  // See the file comment. REQUIRES: action.kind is kAlertmanager and
  // action belongs to t's block.
  std::optional<Post> notify(const Transition& t, const PreparedAction& action,
                             std::int64_t now_ms);
  std::optional<Post> held(const Transition& t, const PreparedAction& action, std::int64_t now_ms);

  // The posts due at `now_ms`; each alert considered is due again
  // resend_every later. An alert of an instance that is no longer `known`
  // (removed from the configuration, unregistered) is resolved and
  // forgotten. Also forgets restored alerts never confirmed within the
  // time Alertmanager keeps them (firing_ttl). Empty functions: always
  // open, never busy, always known.
  std::vector<Post> take_due(std::int64_t now_ms, const OpenFn& open, const BusyFn& busy,
                             const OpenFn& known = nullptr);
  // The earliest time take_due has something to do; none when nothing.
  std::optional<std::int64_t> next_due() const;

  // After a reload. An alert whose action is gone (or no longer an
  // `alertmanager:` action with the same URL) is forgotten, not resolved:
  // Alertmanager resolves it at its endsAt. One whose action moved in the
  // list follows it. One whose status no longer fires is resolved. One
  // whose labels changed (`labels:`) is resolved and fired again with the
  // new ones. resend_every is the new one's.
  std::vector<Post> apply(const ActionPlan& plan, std::int64_t now_ms);

  // After a restart: the last transition of each instance in `recent`
  // (history read back from the state store) stands for an alert that may
  // still be firing in Alertmanager. Such an alert is not sent again until
  // the instance's first transition after the restart confirms it (held as
  // already notified, or notified in the same status); a transition
  // elsewhere resolves it; unconfirmed, it is forgotten after firing_ttl.
  // Instances that already have an alert are left alone.
  void restore(const std::vector<Transition>& recent, const ActionPlan& plan, std::int64_t now_ms);

  std::size_t firing() const;                             // alerts Alertmanager was told fire
  std::size_t tracked() const { return alerts_.size(); }  // alerts remembered

 private:
  struct Alert {
    std::string url;           // the action's URL when it was fired
    Transition transition;     // the latest transition of this alert
    wire::PostableAlert sent;  // labels, annotations, startsAt as last built
    std::chrono::milliseconds resend_every{60'000};
    bool firing = true;       // Alertmanager was last told it fires (restored: maybe)
    bool confirmed = true;    // false: restored, not yet seen again since the restart
    std::int64_t due_ms = 0;  // next resend (confirmed), or when to forget it (not)
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // block, instance, action

  Post post_for(const Key& key, std::uint64_t seq) const;
  std::optional<Post> fire(const Key& key, const Transition& t, const PreparedAction& action,
                           std::int64_t now_ms);
  std::optional<Post> resolve(std::map<Key, Alert>::iterator it, std::uint64_t seq,
                              std::int64_t at_ms);

  std::map<Key, Alert> alerts_;
  std::string self_url_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_ALERT_TRACKER_H
