#include "core/wire/block_bodies.h"

#include <algorithm>
#include <charconv>
#include <memory>

#include "core/util/python_float.h"
#include "core/wire/engine_json.h"
#include "core/wire/json_writer.h"

namespace blockhealth::wire {
namespace {

void write_instance(JsonWriter& w, const InstanceView& in) {
  w.begin_object();
  w.key("instance_id").string(in.id);
  w.key("source").string(in.pushed ? "pushed" : in.discovered ? "discovered" : "config");
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
  w.key("source").string(to_string(view.source));
  if (view.shadows_api_block) w.key("shadows_api_block").boolean(true);
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
  w.key("source").string(to_string(view.source));
  w.key("state_index").unsigned_integer(view.state_index);
  w.key("instances").unsigned_integer(view.instances.size());
  w.key("healthy_instances").integer(healthy_count);
  w.key("quorum_ok").boolean(view.quorum.ok);
  w.end_object();
  return out;
}

// AIOS shape, keys in the order AIOS clients receive them (Flask's
// jsonify sorts them). As AIOS's global block metrics service writes it
// (global-metrics/block/core/server.py): a reason only on unhealthy rows,
// the executor's row fixed, the block healthy when every listed row is.
std::unique_ptr<AiosBody> aios_of(const BlockView& view) {
  const AiosShape& shape = view.aios;
  const bool reported_only = shape.membership == AiosShape::Membership::kAios;
  std::vector<std::string> fragments;
  std::vector<LastSeenCellConstSharedPtr> cells;
  std::string rows;
  bool all_healthy = true;
  bool first = true;
  for (const InstanceView& in : view.instances) {
    const bool executor_row = shape.executor_row && in.executor && in.policies.empty();
    if (!executor_row && reported_only && in.last_reported_ms == 0) continue;
    rows += first ? "{" : ",{";
    first = false;
    if (executor_row) {
      rows += R"("healthy":true,"instanceId":)";
      append_json_string(rows, in.id);
      rows += R"(,"reason":"executor instance"})";
      continue;
    }
    const bool healthy = counts_as_healthy(in.status);
    all_healthy = all_healthy && healthy;
    rows += R"("healthy":)";
    rows += healthy ? "true" : "false";
    rows += R"(,"instanceId":)";
    append_json_string(rows, in.id);
    if (in.last_reported) {  // render() adds "lastMetrics" once the instance has reported
      fragments.push_back(std::move(rows));
      cells.push_back(in.last_reported);
      rows.clear();
    }
    if (!healthy) {
      rows += R"(,"reason":)";
      append_json_string(rows, in.reason);
    }
    rows += "}";
  }
  // An empty block: healthy for AIOS (all([])), not when every configured
  // instance is listed (nothing serving is not healthy).
  const bool healthy = all_healthy && (reported_only || !view.instances.empty());
  std::string head = R"({"block_id":)";
  append_json_string(head, view.id);
  head += R"(,"healthy":)";
  head += healthy ? "true" : "false";
  head += R"(,"instances":[)";
  if (fragments.empty()) {
    head += rows;
    rows = std::move(head);
  } else {
    fragments.front().insert(0, head);
  }
  rows += R"(],"success":true})";
  fragments.push_back(std::move(rows));
  return std::make_unique<AiosBody>(std::move(fragments), std::move(cells), shape.last_metrics);
}

}  // namespace

AiosBody::AiosBody(std::vector<std::string> fragments,
                   std::vector<LastSeenCellConstSharedPtr> cells,
                   AiosShape::LastMetrics last_metrics)
    : fragments_(std::move(fragments)), cells_(std::move(cells)), last_metrics_(last_metrics) {
  for (const std::string& f : fragments_) size_hint_ += f.size();
  size_hint_ += cells_.size() * 40;
}

void AiosBody::render(std::string& out, std::int64_t now_ms) const {
  out.reserve(out.size() + size_hint_);
  out += fragments_[0];
  const bool as_number = last_metrics_ == AiosShape::LastMetrics::kNumber;
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    const std::int64_t reported_ms = cells_[i]->load(std::memory_order_relaxed);
    if (reported_ms != 0) {
      const std::int64_t age_ms = now_ms - reported_ms;
      out += as_number ? R"(,"lastMetrics":)" : R"(,"lastMetrics":")";
      append_python_float_repr(out, age_ms > 0 ? static_cast<double>(age_ms) / 1000.0 : 0.0);
      if (!as_number) out += R"(s ago")";
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

std::string block_written_body(const std::string& id, bool created) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("success").boolean(true);
  w.key("block_id").string(id);
  w.key("created").boolean(created);
  w.key("source").string(to_string(BlockSource::kApi));
  w.end_object();
  return out;
}

}  // namespace blockhealth::wire
