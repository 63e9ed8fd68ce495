// StateStore: the action dispatcher's outbox.
#include <limits>

#include "core/state/sqlite_db.h"
#include "core/state/state_store.h"

namespace blockhealth {

Result<std::int64_t> StateStore::add_delivery(const Delivery& d) {
  constexpr std::string_view kOp = "add_delivery";
  if (d.transition_seq > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return error(kOp,
                 fail("transition_seq " + std::to_string(d.transition_seq) + " is out of range"));
  }
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp,
                "INSERT INTO deliveries (block_id, instance_id, action, url, body, transition_seq, "
                "attempts, next_attempt_ms, created_ms, last_error) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!s) return s.error();
  sqlite::Statement& q = **s;
  q.bind(1, d.block_id);
  q.bind(2, d.instance_id);
  q.bind(3, d.action);
  q.bind(4, d.url);
  q.bind(5, d.body);
  q.bind(6, static_cast<std::int64_t>(d.transition_seq));
  q.bind(7, std::int64_t{d.attempts});
  q.bind(8, d.next_attempt_ms);
  q.bind(9, d.created_ms);
  q.bind(10, d.last_error);
  if (Result<void> r = q.run(); !r) return error(kOp, r.error());
  return sqlite3_last_insert_rowid(db_->handle());
}

Result<void> StateStore::update_delivery(std::int64_t id, int attempts,
                                         std::int64_t next_attempt_ms,
                                         const std::string& last_error) {
  constexpr std::string_view kOp = "update_delivery";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp,
                "UPDATE deliveries SET attempts = ?2, next_attempt_ms = ?3, last_error = ?4 "
                "WHERE id = ?1");
  if (!s) return s.error();
  sqlite::Statement& q = **s;
  q.bind(1, id);
  q.bind(2, std::int64_t{attempts});
  q.bind(3, next_attempt_ms);
  q.bind(4, last_error);
  if (Result<void> r = q.run(); !r) return error(kOp, r.error());
  if (sqlite3_changes64(db_->handle()) == 0) {
    return error(kOp, fail(ErrorCode::kNotFound, "no delivery " + std::to_string(id)));
  }
  return {};
}

Result<void> StateStore::remove_delivery(std::int64_t id) {
  constexpr std::string_view kOp = "remove_delivery";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s = statement(kOp, "DELETE FROM deliveries WHERE id = ?1");
  if (!s) return s.error();
  (*s)->bind(1, id);
  if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  return {};
}

Result<std::vector<Delivery>> StateStore::pending_deliveries() {
  constexpr std::string_view kOp = "pending_deliveries";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp,
                "SELECT id, block_id, instance_id, action, url, body, transition_seq, attempts, "
                "next_attempt_ms, created_ms, last_error FROM deliveries "
                "ORDER BY next_attempt_ms, id");
  if (!s) return s.error();
  std::vector<Delivery> out;
  for (;;) {
    Result<bool> row = (*s)->step();
    if (!row) return error(kOp, row.error());
    if (!*row) return out;
    const sqlite::Statement& q = **s;
    Delivery d;
    d.id = q.column_int64(0);
    d.block_id = q.column_text(1);
    d.instance_id = q.column_text(2);
    d.action = q.column_text(3);
    d.url = q.column_text(4);
    d.body = q.column_text(5);
    d.transition_seq = static_cast<std::uint64_t>(q.column_int64(6));
    d.attempts = static_cast<int>(q.column_int64(7));
    d.next_attempt_ms = q.column_int64(8);
    d.created_ms = q.column_int64(9);
    d.last_error = q.column_text(10);
    out.push_back(std::move(d));
  }
}

}  // namespace blockhealth
