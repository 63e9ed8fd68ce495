#include "core/actions/action_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "core/actions/bearer_token.h"
#include "core/util/text.h"
#include "core/wire/alertmanager_body.h"

namespace blockhealth {
namespace net = boost::asio;

namespace {

constexpr std::int64_t kMaxTimerWaitMs = 1'000;  // re-check at least this often (wall clock jumps)
constexpr std::size_t kErrorBodyExcerpt = 200;

std::string describe_answer(const PostResult& r) {
  std::string text = "answered HTTP " + std::to_string(r.http_status);
  if (!r.body.empty()) text += ": " + sanitize_utf8(r.body, kErrorBodyExcerpt);
  return text;
}

}  // namespace

ActionDispatcher::ActionDispatcher(DispatcherOptions options, DeliveryOutbox& outbox,
                                   const Clock& clock, prometheus::MetricsRegistry* registry)
    : options_(std::move(options)),
      outbox_(outbox),
      clock_(clock),
      metrics_(registry),
      work_(io_.get_executor()),
      timer_(io_) {
  if (!metrics_.registration_error().empty()) {
    spdlog::warn("actions: their metrics are not exported: {}", metrics_.registration_error());
  }
}

ActionDispatcher::~ActionDispatcher() {
  stop();
}

void ActionDispatcher::apply(const Config& config) {
  std::vector<std::string> warnings;
  auto plan = std::make_shared<const ActionPlan>(ActionPlan::build(config, &warnings));
  for (const std::string& w : warnings) spdlog::warn("actions: {}", w);
  const std::int64_t now_ms = clock_.wall_ms();
  std::lock_guard lock(mu_);
  plan_ = std::move(plan);
  repeats_.apply(*plan_);
  drop_orphans();
  for (const AlertTracker::Post& post : alerts_.apply(*plan_, now_ms)) {
    const BlockActions* block = plan_->block(post.block_id);
    for (const PreparedAction& a : block->actions) {
      if (a.name == post.action) enqueue_alerts(post, a, now_ms);
    }
  }
  wake();
}

void ActionDispatcher::restore_alerts(const std::vector<Transition>& recent) {
  const std::int64_t now_ms = clock_.wall_ms();
  std::lock_guard lock(mu_);
  if (plan_ == nullptr) return;
  alerts_.restore(recent, *plan_, now_ms);
  wake();
}

void ActionDispatcher::set_self_url(std::string url) {
  std::lock_guard lock(mu_);
  alerts_.set_self_url(std::move(url));
}

Result<void> ActionDispatcher::start() {
  std::lock_guard lock(mu_);
  if (started_ || stopped_) return fail("the action dispatcher was started or stopped before");
  started_ = true;
  Result<void> out;
  auto loaded = outbox_.pending();
  if (loaded) {
    const std::size_t n = queue_.push_front_loaded(*loaded);
    if (n > 0) spdlog::info("actions: {} pending deliveries resumed from the outbox", n);
  } else {
    out = fail(ErrorCode::kUnavailable,
               "actions: cannot read pending deliveries: " + loaded.error().message);
  }
  metrics_.pending().set(static_cast<double>(queue_.size()));
  thread_ = std::thread([this] { io_.run(); });
  wake();
  return out;
}

void ActionDispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void ActionDispatcher::observe(const Transition& t) {
  const std::int64_t now_ms = clock_.wall_ms();
  std::lock_guard lock(mu_);
  repeats_.observe(t);
  // A held transition may still change an alert (AlertTracker::held); one
  // that is not held is notify()'s.
  if (t.hold == HoldKind::kNone) return;
  const BlockActions* block = plan_ ? plan_->block(t.block_id) : nullptr;
  if (block == nullptr) return;
  for (const PreparedAction& action : block->actions) {
    if (action.kind != ActionKind::kAlertmanager) continue;
    if (auto post = alerts_.held(t, action, now_ms)) enqueue_alerts(*post, action, now_ms);
  }
  wake();
}

void ActionDispatcher::notify(const Transition& t, ActionEvent event) {
  const std::int64_t now_ms = clock_.wall_ms();
  std::lock_guard lock(mu_);
  repeats_.observe(t);
  const BlockActions* block = plan_ ? plan_->block(t.block_id) : nullptr;
  if (block == nullptr) return;
  for (const PreparedAction& action : block->actions) {
    if (action.kind == ActionKind::kAlertmanager) {
      if (auto post = alerts_.notify(t, action, now_ms)) enqueue_alerts(*post, action, now_ms);
      continue;
    }
    if (!action.triggers_on(t.to)) continue;
    if (!repeats_.admit(t, action.name, block->repeat_after, now_ms)) {
      ++counts_.suppressed;
      metrics_.suppressed(t.block_id, action.name);
      continue;
    }
    enqueue(t, action, event, now_ms);
  }
  wake();
}

DispatcherStats ActionDispatcher::stats() const {
  std::lock_guard lock(mu_);
  DispatcherStats s = counts_;
  s.pending = queue_.size();
  s.in_flight = queue_.in_flight();
  s.repeats_armed = repeats_.armed();
  s.alerts_firing = alerts_.firing();
  return s;
}

void ActionDispatcher::enqueue(const Transition& t, const PreparedAction& action, ActionEvent event,
                               std::int64_t now_ms) {
  Delivery d;
  d.block_id = t.block_id;
  d.instance_id = t.instance_id;
  d.action = action.name;
  d.url = action.url.text;
  d.body = action.kind == ActionKind::kFailurePolicy
               ? wire::failure_policy_body(t, action.failure_policy_id, action.parameters)
               : wire::webhook_body(t, event);
  d.transition_seq = t.seq;
  d.next_attempt_ms = now_ms;
  d.created_ms = now_ms;
  enqueue_delivery(
      std::move(d), event == ActionEvent::kRepeat,
      "notification of " + std::string(to_string(t.from)) + " -> " + std::string(to_string(t.to)));
}

void ActionDispatcher::enqueue_alerts(const AlertTracker::Post& post, const PreparedAction& action,
                                      std::int64_t now_ms) {
  Delivery d;
  d.block_id = post.block_id;
  d.instance_id = post.instance_id;
  d.action = action.name;
  d.url = action.url.text;
  d.body = wire::alertmanager_body(post.alerts);
  d.transition_seq = post.transition_seq;
  d.next_attempt_ms = now_ms;
  d.created_ms = now_ms;
  std::string what = "post of " + std::to_string(post.alerts.size()) + " alert";
  if (post.alerts.size() != 1) what += "s";
  enqueue_delivery(std::move(d), post.resend, what);
}

void ActionDispatcher::enqueue_delivery(Delivery d, bool repeat, const std::string& what) {
  if (queue_.size() >= options_.max_pending) {
    ++counts_.dropped;
    metrics_.count(d.block_id, d.action, DeliveryResult::kDropped);
    spdlog::warn(
        "block {} instance {} action {}: {} dropped: {} deliveries are already pending "
        "(max_pending)",
        d.block_id, d.instance_id, d.action, what, queue_.size());
    return;
  }
  bool durable = true;
  auto id = outbox_.add(d);
  if (id) {
    d.id = *id;
  } else {
    durable = false;
    spdlog::error(
        "block {} instance {} action {}: cannot store the delivery ({}); it is kept in memory "
        "only and is lost if the daemon stops first",
        d.block_id, d.instance_id, d.action, id.error().message);
  }
  queue_.push_back(std::move(d), durable);
  ++counts_.queued;
  if (repeat) ++counts_.repeats;
  metrics_.pending().set(static_cast<double>(queue_.size()));
}

void ActionDispatcher::wake() {
  if (!started_ || stopped_ || wake_posted_) return;
  wake_posted_ = true;
  net::post(io_, [this] { pump(); });
}

void ActionDispatcher::pump() {
  std::lock_guard lock(mu_);
  wake_posted_ = false;
  if (stopped_) return;
  pump_locked(clock_.wall_ms());
}

void ActionDispatcher::pump_locked(std::int64_t now_ms) {
  if (plan_) {
    for (const RepeatTracker::Due& due : repeats_.take_due(now_ms)) {
      const BlockActions* block = plan_->block(due.transition.block_id);
      const PreparedAction* action = nullptr;
      if (block != nullptr) {
        for (const PreparedAction& a : block->actions) {
          if (a.name == due.action) action = &a;
        }
      }
      if (action == nullptr) continue;
      if (options_.repeat_gate &&
          !options_.repeat_gate(due.transition.block_id, due.transition.instance_id)) {
        continue;
      }
      enqueue(due.transition, *action, ActionEvent::kRepeat, now_ms);
    }
    const auto open = [this](std::string_view block, std::string_view instance) {
      return !options_.repeat_gate || options_.repeat_gate(block, instance);
    };
    const auto busy = [this](const std::string& block, const std::string& instance,
                             const std::string& action) {
      return queue_.has_lane(block, instance, action);
    };
    const auto known = [this](std::string_view block, std::string_view instance) {
      return !options_.instance_known || options_.instance_known(block, instance);
    };
    for (const AlertTracker::Post& post : alerts_.take_due(now_ms, open, busy, known)) {
      const BlockActions* block = plan_->block(post.block_id);
      if (block == nullptr) continue;
      for (const PreparedAction& a : block->actions) {
        if (a.name == post.action) enqueue_alerts(post, a, now_ms);
      }
    }
  }
  const std::size_t max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
  bool again = plan_ != nullptr;
  while (again) {
    again = false;
    const std::size_t room =
        queue_.in_flight() < max_in_flight ? max_in_flight - queue_.in_flight() : 0;
    if (room == 0) break;
    for (const DeliveryQueue::Key key : queue_.ready(now_ms, room)) {
      const Delivery& d = queue_.find(key)->delivery;
      const BlockActions* block = plan_->block(d.block_id);
      const PreparedAction* action = block != nullptr ? block->find(d.action, d.url) : nullptr;
      if (action == nullptr) {
        finish(key, DeliveryResult::kDropped, "its action is no longer configured");
        again = true;
      } else if (now_ms - d.created_ms >= options_.max_age.count()) {
        std::string why = "older than max_age (" + std::to_string(options_.max_age.count()) +
                          "ms) after " + std::to_string(d.attempts) + " attempts";
        if (!d.last_error.empty()) why += "; last error: " + d.last_error;
        finish(key, DeliveryResult::kGaveUp, why);
        again = true;
      } else {
        send(key, *action, now_ms);
        again = again || queue_.find(key) == nullptr || !queue_.find(key)->in_flight;
      }
    }
  }
  arm_timer(now_ms);
}

void ActionDispatcher::send(DeliveryQueue::Key key, const PreparedAction& action,
                            std::int64_t now_ms) {
  const Delivery& d = queue_.find(key)->delivery;
  PostRequest request;
  request.url = action.url;
  request.body = action.kind == ActionKind::kAlertmanager
                     ? wire::alertmanager_body_at(d.body, d.created_ms, now_ms)
                     : d.body;
  request.timeout = action.timeout;
  request.tls = action.tls;
  request.response_body_limit = options_.response_body_limit;
  for (const auto& [name, value] : action.headers) request.headers.emplace_back(name, value);
  if (action.token_file) {
    auto token = read_bearer_token(*action.token_file);
    if (!token) return attempt_failed(key, token.error().message, false, now_ms);
    request.headers.emplace_back("Authorization", "Bearer " + *token);
  }
  queue_.set_in_flight(key, true);
  metrics_.in_flight().set(static_cast<double>(queue_.in_flight()));
  async_post(io_.get_executor(), std::move(request),
             [this, key](const PostResult& result) { on_posted(key, result); });
}

void ActionDispatcher::on_posted(DeliveryQueue::Key key, const PostResult& result) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  DeliveryQueue::Entry* e = queue_.find(key);
  if (e == nullptr) return;
  queue_.set_in_flight(key, false);
  metrics_.in_flight().set(static_cast<double>(queue_.in_flight()));
  metrics_.attempt_took(e->delivery.block_id, e->delivery.action,
                        static_cast<double>(result.duration.count()) / 1e6);
  const std::int64_t now_ms = clock_.wall_ms();
  if (!result.error.empty()) {
    attempt_failed(key, result.error, false, now_ms);
  } else {
    switch (judge_attempt(result.http_status)) {
      case AttemptVerdict::kDelivered:
        finish(key, DeliveryResult::kDelivered, "");
        break;
      case AttemptVerdict::kRetry:
        attempt_failed(key, describe_answer(result), false, now_ms);
        break;
      case AttemptVerdict::kGiveUp:
        attempt_failed(key, describe_answer(result), true, now_ms);
        break;
    }
  }
  pump_locked(now_ms);
}

void ActionDispatcher::attempt_failed(DeliveryQueue::Key key, const std::string& error,
                                      bool give_up_now, std::int64_t now_ms) {
  Delivery& d = queue_.find(key)->delivery;
  d.attempts += 1;
  d.last_error = error;
  ++counts_.failed_attempts;
  metrics_.count(d.block_id, d.action, DeliveryResult::kFailedAttempt);
  if (give_up_now) {
    return finish(key, DeliveryResult::kGaveUp, "the receiver refused it: " + error);
  }
  // The action's own retry settings when it still exists and has them.
  const BlockActions* block = plan_ != nullptr ? plan_->block(d.block_id) : nullptr;
  const PreparedAction* action = block != nullptr ? block->find(d.action, d.url) : nullptr;
  const int max_attempts =
      action != nullptr && action->max_attempts ? *action->max_attempts : options_.max_attempts;
  if (d.attempts >= max_attempts) {
    return finish(key, DeliveryResult::kGaveUp,
                  "after " + std::to_string(d.attempts) + " attempts; last error: " + error);
  }
  const std::chrono::milliseconds delay = backoff_delay(
      action != nullptr && action->backoff ? *action->backoff : options_.backoff_base,
      action != nullptr && action->max_backoff ? *action->max_backoff : options_.backoff_cap,
      d.attempts);
  d.next_attempt_ms = now_ms + delay.count();
  spdlog::info("block {} instance {} action {}: POST {} failed (attempt {}): {}; retrying in {}ms",
               d.block_id, d.instance_id, d.action, d.url, d.attempts, error, delay.count());
  if (queue_.find(key)->durable) {
    auto updated = outbox_.update(d);
    if (!updated) {
      spdlog::error("block {} instance {} action {}: cannot record the attempt in the outbox: {}",
                    d.block_id, d.instance_id, d.action, updated.error().message);
    }
  }
}

void ActionDispatcher::finish(DeliveryQueue::Key key, DeliveryResult result,
                              const std::string& why) {
  DeliveryQueue::Entry* e = queue_.find(key);
  const Delivery& d = e->delivery;
  if (e->durable) {
    auto removed = outbox_.remove(d.id);
    if (!removed) {
      spdlog::error("block {} instance {} action {}: cannot remove delivery {} from the outbox: {}",
                    d.block_id, d.instance_id, d.action, d.id, removed.error().message);
    }
  }
  metrics_.count(d.block_id, d.action, result);
  switch (result) {
    case DeliveryResult::kDelivered:
      ++counts_.delivered;
      spdlog::debug("block {} instance {} action {}: delivered to {} (attempt {})", d.block_id,
                    d.instance_id, d.action, d.url, d.attempts + 1);
      break;
    case DeliveryResult::kGaveUp:
      ++counts_.gave_up;
      spdlog::warn("block {} instance {} action {}: gave up delivering to {}: {}", d.block_id,
                   d.instance_id, d.action, d.url, why);
      break;
    case DeliveryResult::kDropped:
      ++counts_.dropped;
      spdlog::warn("block {} instance {} action {}: delivery to {} dropped: {}", d.block_id,
                   d.instance_id, d.action, d.url, why);
      break;
    case DeliveryResult::kFailedAttempt:
      break;
  }
  queue_.erase(key);
  metrics_.pending().set(static_cast<double>(queue_.size()));
  metrics_.in_flight().set(static_cast<double>(queue_.in_flight()));
}

void ActionDispatcher::drop_orphans() {
  for (const DeliveryQueue::Key key : queue_.keys()) {
    const DeliveryQueue::Entry* e = queue_.find(key);
    if (e->in_flight) continue;
    const BlockActions* block = plan_->block(e->delivery.block_id);
    if (block == nullptr || block->find(e->delivery.action, e->delivery.url) == nullptr) {
      finish(key, DeliveryResult::kDropped, "its action is no longer configured");
    }
  }
}

void ActionDispatcher::arm_timer(std::int64_t now_ms) {
  std::optional<std::int64_t> next = repeats_.next_due();
  if (const auto due = alerts_.next_due(); due && (!next || *due < *next)) next = due;
  const std::size_t max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
  if (plan_ && queue_.in_flight() < max_in_flight) {
    if (const auto due = queue_.next_due(); due && (!next || *due < *next)) next = due;
  }
  if (!next) return;
  const std::int64_t wait = std::clamp<std::int64_t>(*next - now_ms, 0, kMaxTimerWaitMs);
  timer_.expires_after(std::chrono::milliseconds(wait));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) pump();
  });
}

}  // namespace blockhealth
