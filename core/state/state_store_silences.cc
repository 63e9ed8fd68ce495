// StateStore: maintenance windows and silences.
#include "core/state/sqlite_db.h"
#include "core/state/state_store.h"

namespace blockhealth {

Result<void> StateStore::put_maintenance(const Maintenance& m) {
  constexpr std::string_view kOp = "put_maintenance";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp,
                "INSERT OR REPLACE INTO maintenance (block_id, instance_id, reason, until_ms, "
                "created_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!s) return s.error();
  (*s)->bind(1, m.block_id);
  (*s)->bind(2, m.instance_id);
  (*s)->bind(3, m.reason);
  (*s)->bind(4, m.until_ms);
  (*s)->bind(5, m.created_ms);
  if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  return {};
}

Result<bool> StateStore::delete_maintenance(const std::string& block, const std::string& instance) {
  constexpr std::string_view kOp = "delete_maintenance";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp, "DELETE FROM maintenance WHERE block_id = ?1 AND instance_id = ?2");
  if (!s) return s.error();
  (*s)->bind(1, block);
  (*s)->bind(2, instance);
  if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  return sqlite3_changes64(db_->handle()) > 0;
}

Result<std::vector<Maintenance>> StateStore::load_maintenance() {
  constexpr std::string_view kOp = "load_maintenance";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp,
                "SELECT block_id, instance_id, reason, until_ms, created_ms FROM maintenance "
                "ORDER BY block_id, instance_id");
  if (!s) return s.error();
  std::vector<Maintenance> out;
  for (;;) {
    Result<bool> row = (*s)->step();
    if (!row) return error(kOp, row.error());
    if (!*row) return out;
    const sqlite::Statement& q = **s;
    out.push_back(Maintenance{q.column_text(0), q.column_text(1), q.column_text(2),
                              q.column_int64(3), q.column_int64(4)});
  }
}

Result<void> StateStore::put_silence(const Silence& silence) {
  constexpr std::string_view kOp = "put_silence";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp,
                "INSERT OR REPLACE INTO silences (id, block_id, instance_id, reason, until_ms, "
                "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!s) return s.error();
  (*s)->bind(1, silence.id);
  (*s)->bind(2, silence.block_id);
  (*s)->bind(3, silence.instance_id);
  (*s)->bind(4, silence.reason);
  (*s)->bind(5, silence.until_ms);
  (*s)->bind(6, silence.created_ms);
  if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  return {};
}

Result<bool> StateStore::delete_silence(const std::string& id) {
  constexpr std::string_view kOp = "delete_silence";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s = statement(kOp, "DELETE FROM silences WHERE id = ?1");
  if (!s) return s.error();
  (*s)->bind(1, id);
  if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  return sqlite3_changes64(db_->handle()) > 0;
}

Result<std::vector<Silence>> StateStore::load_silences() {
  constexpr std::string_view kOp = "load_silences";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp,
                "SELECT id, block_id, instance_id, reason, until_ms, created_ms FROM silences "
                "ORDER BY created_ms, id");
  if (!s) return s.error();
  std::vector<Silence> out;
  for (;;) {
    Result<bool> row = (*s)->step();
    if (!row) return error(kOp, row.error());
    if (!*row) return out;
    const sqlite::Statement& q = **s;
    out.push_back(Silence{q.column_text(0), q.column_text(1), q.column_text(2), q.column_text(3),
                          q.column_int64(4), q.column_int64(5)});
  }
}

Result<std::size_t> StateStore::prune_expired(std::int64_t now_ms) {
  constexpr std::string_view kOp = "prune_expired";
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> tx = sqlite::Transaction::begin(*db_);
  if (!tx) return error(kOp, tx.error());
  std::size_t removed = 0;
  for (const char* sql : {"DELETE FROM maintenance WHERE until_ms <= ?1",
                          "DELETE FROM silences WHERE until_ms <= ?1"}) {
    Result<sqlite::StatementRef> s = statement(kOp, sql);
    if (!s) return s.error();
    (*s)->bind(1, now_ms);
    if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
    removed += static_cast<std::size_t>(sqlite3_changes64(db_->handle()));
  }
  if (Result<void> r = tx->commit(); !r) return error(kOp, r.error());
  return removed;
}

}  // namespace blockhealth
