// StateStore: blocks defined over HTTP.
#include "core/state/sqlite_db.h"
#include "core/state/state_store.h"

namespace blockhealth {

Result<void> StateStore::put_api_block(const ApiBlockRecord& b) {
  constexpr std::string_view kOp = "put_api_block";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s = statement(
      kOp, "INSERT OR REPLACE INTO api_blocks (id, body, updated_ms) VALUES (?1, ?2, ?3)");
  if (!s) return s.error();
  (*s)->bind(1, b.id);
  (*s)->bind(2, b.body);
  (*s)->bind(3, b.updated_ms);
  if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  return {};
}

Result<bool> StateStore::delete_api_block(const std::string& id) {
  constexpr std::string_view kOp = "delete_api_block";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s = statement(kOp, "DELETE FROM api_blocks WHERE id = ?1");
  if (!s) return s.error();
  (*s)->bind(1, id);
  if (Result<void> r = (*s)->run(); !r) return error(kOp, r.error());
  return sqlite3_changes64(db_->handle()) > 0;
}

Result<std::vector<ApiBlockRecord>> StateStore::load_api_blocks() {
  constexpr std::string_view kOp = "load_api_blocks";
  std::lock_guard lock(mutex_);
  Result<sqlite::StatementRef> s =
      statement(kOp, "SELECT id, body, updated_ms FROM api_blocks ORDER BY id");
  if (!s) return s.error();
  std::vector<ApiBlockRecord> out;
  for (;;) {
    Result<bool> row = (*s)->step();
    if (!row) return error(kOp, row.error());
    if (!*row) return out;
    const sqlite::Statement& q = **s;
    out.push_back(ApiBlockRecord{q.column_text(0), q.column_text(1), q.column_int64(2)});
  }
}

}  // namespace blockhealth
