// StateStore: transition history.
#include <limits>

#include "core/state/sqlite_db.h"
#include "core/state/state_store.h"

namespace blockhealth {
namespace {

constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
constexpr const char* kMaxPrunedKey = "max_pruned_transition_seq";

// Column order read_transition expects.
#define BH_TRANSITION_COLUMNS                                                     \
  "seq, time_ms, block_id, instance_id, from_status, to_status, policy, reason, " \
  "evidence_metric, evidence_observed, evidence_limit"

std::int64_t clamp_count(std::size_t n) {
  return n > kInt64Max ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(n);
}

}  // namespace

Result<Transition> StateStore::read_transition(const sqlite::Statement& row) const {
  Transition t;
  t.seq = static_cast<std::uint64_t>(row.column_int64(0));
  t.time_ms = row.column_int64(1);
  t.block_id = row.column_text(2);
  t.instance_id = row.column_text(3);
  const std::string from = row.column_text(4);
  const std::string to = row.column_text(5);
  const std::optional<Status> from_status = status_from_string(from);
  const std::optional<Status> to_status = status_from_string(to);
  if (!from_status || !to_status) {
    return fail(ErrorCode::kUnavailable, path_ + ": transition " + std::to_string(t.seq) +
                                             " has an unknown status ('" + from + "' -> '" + to +
                                             "')");
  }
  t.from = *from_status;
  t.to = *to_status;
  t.policy = row.column_text(6);
  t.reason = row.column_text(7);
  if (!row.is_null(8)) {
    t.evidence = Evidence{row.column_text(8), row.column_double(9), row.column_double(10)};
  }
  return t;
}

Result<std::vector<Transition>> StateStore::read_transitions(std::string_view op,
                                                             sqlite::Statement& query) const {
  std::vector<Transition> out;
  for (;;) {
    Result<bool> row = query.step();
    if (!row) return error(op, row.error());
    if (!*row) return out;
    Result<Transition> t = read_transition(query);
    if (!t) return t.error();
    out.push_back(std::move(*t));
  }
}

Result<void> StateStore::append_transition(const Transition& t) {
  constexpr std::string_view kOp = "append_transition";
  if (t.seq > kInt64Max) {
    return error(kOp, fail("seq " + std::to_string(t.seq) + " is out of range"));
  }
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp, "INSERT INTO transitions (" BH_TRANSITION_COLUMNS
                     ") "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!s) return s.error();
  sqlite::Statement& q = **s;
  q.bind(1, static_cast<std::int64_t>(t.seq));
  q.bind(2, t.time_ms);
  q.bind(3, t.block_id);
  q.bind(4, t.instance_id);
  q.bind(5, to_string(t.from));
  q.bind(6, to_string(t.to));
  q.bind(7, t.policy);
  q.bind(8, t.reason);
  if (t.evidence) {
    q.bind(9, t.evidence->metric);
    q.bind(10, t.evidence->observed);
    q.bind(11, t.evidence->limit);
  }
  if (Result<void> r = q.run(); !r) return error(kOp, r.error());
  return {};
}

Result<std::vector<Transition>> StateStore::recent_transitions(std::size_t per_instance) {
  constexpr std::string_view kOp = "recent_transitions";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp, "SELECT " BH_TRANSITION_COLUMNS
                     " FROM ("
                     "  SELECT *, row_number() OVER ("
                     "    PARTITION BY block_id, instance_id ORDER BY seq DESC) AS newest"
                     "  FROM transitions) "
                     "WHERE newest <= ?1 ORDER BY seq");
  if (!s) return s.error();
  (*s)->bind(1, clamp_count(per_instance));
  return read_transitions(kOp, **s);
}

Result<std::vector<Transition>> StateStore::transitions_after(std::uint64_t after_seq,
                                                              std::size_t limit,
                                                              std::optional<std::string> block) {
  constexpr std::string_view kOp = "transitions_after";
  if (after_seq >= kInt64Max) return std::vector<Transition>{};
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp, "SELECT " BH_TRANSITION_COLUMNS
                     " FROM transitions "
                     "WHERE seq > ?1 AND (?2 IS NULL OR block_id = ?2) ORDER BY seq LIMIT ?3");
  if (!s) return s.error();
  (*s)->bind(1, static_cast<std::int64_t>(after_seq));
  if (block) (*s)->bind(2, *block);
  (*s)->bind(3, clamp_count(limit));
  return read_transitions(kOp, **s);
}

Result<std::uint64_t> StateStore::max_transition_seq() {
  constexpr std::string_view kOp = "max_transition_seq";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp,
                "SELECT max(coalesce((SELECT max(seq) FROM transitions), 0),"
                "           coalesce((SELECT value FROM meta WHERE key = ?1), 0))");
  if (!s) return s.error();
  (*s)->bind(1, std::string_view(kMaxPrunedKey));
  Result<bool> row = (*s)->step();
  if (!row) return error(kOp, row.error());
  return static_cast<std::uint64_t>((*s)->column_int64(0));
}

Result<std::size_t> StateStore::prune_transitions(std::int64_t older_than_ms) {
  constexpr std::string_view kOp = "prune_transitions";
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> tx = sqlite::Transaction::begin(*db_);
  if (!tx) return error(kOp, tx.error());
  {
    // Remember the highest seq about to go, so max_transition_seq never drops.
    Result<sqlite::StatementRef> s = statement(
        kOp,
        "INSERT INTO meta (key, value) "
        "SELECT ?1, max(seq) FROM transitions WHERE time_ms < ?2 HAVING max(seq) IS NOT NULL "
        "ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)");
    if (!s) return s.error();
    (*s)->bind(1, std::string_view(kMaxPrunedKey));
    (*s)->bind(2, older_than_ms);
    if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  }
  Result<sqlite::StatementRef> s = statement(kOp, "DELETE FROM transitions WHERE time_ms < ?1");
  if (!s) return s.error();
  (*s)->bind(1, older_than_ms);
  if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  const auto removed = static_cast<std::size_t>(sqlite3_changes64(db_->handle()));
  if (Result<void> r = tx->commit(); !r) return error(kOp, r.error());
  return removed;
}

#undef BH_TRANSITION_COLUMNS

}  // namespace blockhealth
