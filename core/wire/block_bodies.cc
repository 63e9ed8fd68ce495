#include "core/wire/block_bodies.h"

#include <algorithm>
#include <charconv>
#include <memory>

#include "core/wire/engine_json.h"
#include "core/wire/json_writer.h"

namespace blockhealth::wire {
namespace {

void write_instance(JsonWriter& w, const InstanceView& in) {
  w.begin_object();
  w.key("instance_id").string(in.id);
  w.key("source").string(in.pushed ? "pushed" : "config");
  w.key("status").string(to_string(in.status));
  w.key("healthy").boolean(counts_as_healthy(in.status));
  w.key("since").time_or_null(in.since_ms);
  w.key("policy").string(in.policy);
  w.key("reason").string(in.reason);
  w.key("evidence");
  write_evidence(w, in.evidence);
  w.key("last_seen").time_or_null(in.last_seen_ms);
  w.key("policies").begin_array();
  for (const PolicyResultView& p : in.policies) {
    w.begin_object();
    w.key("id").string(p.id);
    w.key("status").string(to_string(p.status));
    w.key("raw_status").string(to_string(p.raw_status));
    w.key("streak").integer(p.streak);
    w.key("reason").string(p.reason);
    w.key("evidence");
    write_evidence(w, p.evidence);
    w.key("since").time_or_null(p.since_ms);
    w.key("evaluated_at").time_or_null(p.evaluated_ms);
    // null: re-evaluated every interval; else until when the result holds
    // without new data ("new_data": until new data arrives).
    w.key("valid_until");
    if (p.valid_until_ms == BH_VALID_UNTIL_NEW_DATA) {
      w.string("new_data");
    } else {
      w.time_or_null(p.valid_until_ms);
    }
    w.end_object();
  }
  w.end_array();
  w.key("sources").begin_array();
  for (const SourceStatus& s : in.sources) {
    w.begin_object();
    w.key("source").string(s.source);
    w.key("target").string(s.target);
    w.key("ok").boolean(s.ok);
    w.key("message").string(s.message);
    w.key("checked_at").time_or_null(s.time_ms);
    w.key("last_success").time_or_null(s.last_success_ms);
    w.end_object();
  }
  w.end_array();
  w.key("maintenance");
  if (in.maintenance) {
    write_maintenance(w, *in.maintenance);
  } else {
    w.null();
  }
  w.key("silence");
  if (in.silence) {
    write_silence(w, *in.silence);
  } else {
    w.null();
  }
  w.key("flapping").boolean(in.flapping);
  w.key("flap_percent").number(in.flap_percent);
  w.key("counts_for_quorum").boolean(in.counted);
  w.end_object();
}

void write_quorum(JsonWriter& w, const BlockView& view) {
  w.begin_object();
  w.key("min_healthy").integer(view.quorum.required);
  w.key("min_healthy_configured").boolean(view.quorum.configured);
  w.key("healthy").integer(view.quorum.healthy);
  w.key("counted").begin_array();
  for (const InstanceView& in : view.instances) {
    if (in.counted) w.string(in.id);
  }
  w.end_array();
  w.end_object();
}

std::string detail_of(const BlockView& view) {
  std::string out;
  out.reserve(512 + view.instances.size() * 768);
  JsonWriter w(out);
  w.begin_object();
  w.key("block_id").string(view.id);
  w.key("status").string(to_string(view.status));
  w.key("healthy").boolean(view.healthy);
  w.key("paused").boolean(view.paused);
  w.key("state_index").unsigned_integer(view.state_index);
  w.key("evaluated_at").time_or_null(view.built_ms);
  w.key("quorum_ok").boolean(view.quorum.ok);
  w.key("quorum");
  write_quorum(w, view);
  w.key("instances").begin_array();
  for (const InstanceView& in : view.instances) write_instance(w, in);
  w.end_array();
  w.key("policies").begin_array();
  for (const PolicyStateView& p : view.policies) {
    w.begin_object();
    write_policy_state_members(w, p);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

std::string summary_of(const BlockView& view) {
  int healthy_count = 0;
  for (const InstanceView& in : view.instances) healthy_count += counts_as_healthy(in.status);
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("block_id").string(view.id);
  w.key("status").string(to_string(view.status));
  w.key("healthy").boolean(view.healthy);
  w.key("paused").boolean(view.paused);
  w.key("state_index").unsigned_integer(view.state_index);
  w.key("instances").unsigned_integer(view.instances.size());
  w.key("healthy_instances").integer(healthy_count);
  w.key("quorum_ok").boolean(view.quorum.ok);
  w.end_object();
  return out;
}

// AIOS shape, keys in the order AIOS clients receive them (sorted).
std::unique_ptr<AiosBody> aios_of(const BlockView& view) {
  std::vector<std::string> fragments;
  std::vector<LastSeenCellConstSharedPtr> cells;
  std::string current = R"({"block_id":)";
  append_json_string(current, view.id);
  current += R"(,"healthy":)";
  current += view.healthy ? "true" : "false";
  current += R"(,"instances":[)";
  bool first = true;
  for (const InstanceView& in : view.instances) {
    const bool healthy = counts_as_healthy(in.status);
    current += first ? "{" : ",{";
    first = false;
    current += R"("healthy":)";
    current += healthy ? "true" : "false";
    current += R"(,"instanceId":)";
    append_json_string(current, in.id);
    if (in.last_seen) {  // render() adds "lastMetrics" once the instance has reported
      fragments.push_back(std::move(current));
      cells.push_back(in.last_seen);
      current.clear();
    }
    if (!healthy || in.status != Status::kOk) {
      current += R"(,"reason":)";
      append_json_string(current, in.reason);
    }
    current += "}";
  }
  current += R"(],"success":true})";
  fragments.push_back(std::move(current));
  return std::make_unique<AiosBody>(std::move(fragments), std::move(cells));
}

}  // namespace

AiosBody::AiosBody(std::vector<std::string> fragments,
                   std::vector<LastSeenCellConstSharedPtr> cells)
    : fragments_(std::move(fragments)), cells_(std::move(cells)) {
  for (const std::string& f : fragments_) size_hint_ += f.size();
  size_hint_ += cells_.size() * 40;
}

void AiosBody::render(std::string& out, std::int64_t now_ms) const {
  out.reserve(out.size() + size_hint_);
  out += fragments_[0];
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    const std::int64_t seen_ms = cells_[i]->load(std::memory_order_relaxed);
    if (seen_ms != 0) {
      const std::int64_t age_ms = now_ms - seen_ms;
      char digits[32];
      const double seconds = age_ms > 0 ? static_cast<double>(age_ms) / 1000.0 : 0.0;
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, seconds);
      out += R"(,"lastMetrics":")";
      out.append(digits, ec == std::errc() ? end : digits);
      out += R"(s ago")";
    }
    out += fragments_[i + 1];
  }
}

const AiosBody& BlockBodies::aios() const {
  std::call_once(aios_once_, [this] { aios_ = aios_of(view_); });
  return *aios_;
}

const std::string& BlockBodies::detail() const {
  std::call_once(detail_once_, [this] { detail_ = detail_of(view_); });
  return detail_;
}

const std::string& BlockBodies::summary() const {
  std::call_once(summary_once_, [this] { summary_ = summary_of(view_); });
  return summary_;
}

namespace {
// What the view's memo holds: the bodies, which point back at the view.
struct BodiesHolder {
  explicit BodiesHolder(const BlockView& v) : bodies(v) {}
  BlockBodies bodies;
};
}  // namespace

const BlockBodies& bodies_of(const BlockView& view) {
  return view.memo.get<BodiesHolder>([&view] { return std::make_shared<BodiesHolder>(view); })
      .bodies;
}

const std::vector<std::string>& history_items(const TransitionHistory& history) {
  return history.memo.get<std::vector<std::string>>([&history] {
    auto items = std::make_shared<std::vector<std::string>>();
    items->reserve(history.newest_first.size());
    for (const Transition& t : history.newest_first) items->push_back(transition_json(t));
    return items;
  });
}

std::string history_body(const BlockView& view, std::size_t limit) {
  std::string body = R"({"block_id":)";
  append_json_string(body, view.id);
  body += R"(,"transitions":[)";
  if (view.history) {
    const std::vector<std::string>& items = history_items(*view.history);
    const std::size_t n = std::min(items.size(), limit);
    for (std::size_t i = 0; i < n; ++i) {
      body += i == 0 ? "" : ",";
      body += items[i];
    }
  }
  body += "]}";
  return body;
}

}  // namespace blockhealth::wire
