// StateStore: opening, checking and upgrading the database; housekeeping.
// The record kinds live in state_store_{transitions,silences,deliveries}.cc.
#include "core/state/state_store.h"

#include <cstdio>
#include <utility>

#include "core/state/sqlite_db.h"
#include "core/state/state_dir.h"
#include "core/state/state_schema.h"

namespace blockhealth {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr const char* kMoveAside =
    "move it (with any -wal and -shm file beside it) aside to start with empty history";

std::string corrupt_message(const std::string& path, const std::string& detail) {
  return path + ": the state database is corrupt (quick_check: " + detail + "); " + kMoveAside;
}

// An error from the first reads of an opened file, in words that say what to do.
Error open_error(const std::string& path, int sqlite_rc, const Error& e) {
  switch (sqlite_rc) {
    case SQLITE_NOTADB:
      return fail(path +
                  ": file is not a database (not a blockhealth state database); move it "
                  "aside, or set state_dir: to another folder");
    case SQLITE_CORRUPT:
      return fail(corrupt_message(path, e.message));
    default:
      return fail(ErrorCode::kUnavailable, path + ": cannot read the state database: " + e.message);
  }
}

}  // namespace

StateStore::StateStore(std::unique_ptr<sqlite::Connection> db, std::string path)
    : path_(std::move(path)), db_(std::move(db)) {}

StateStore::~StateStore() = default;

Result<StateStorePtr> StateStore::open(const std::filesystem::path& state_dir) {
  if (Result<void> r = prepare_state_dir(state_dir); !r) return r.error();
  const std::filesystem::path file = state_dir / kFileName;
  std::error_code ec;
  const auto type = std::filesystem::status(file, ec).type();
  // (file_type::none: it could not be looked at; opening it says why.)
  if (type != std::filesystem::file_type::not_found && type != std::filesystem::file_type::none &&
      type != std::filesystem::file_type::regular) {
    return fail(file.string() +
                ": not a regular file; move it aside, or set state_dir: to "
                "another folder");
  }
  Result<std::unique_ptr<sqlite::Connection>> db = sqlite::Connection::open(
      file.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  if (!db) {
    return fail(file.string() + ": cannot open the state database: " + db.error().message +
                "; check the folder's permissions, or set state_dir: to another folder");
  }
  const bool empty_file = type == std::filesystem::file_type::regular &&
                          std::filesystem::file_size(file, ec) == 0 && !ec;
  StateStorePtr store(new StateStore(std::move(*db), file.string()));
  store->opened_empty_file_ = empty_file;
  if (Result<void> r = store->initialize(); !r) return r.error();
  return store;
}

Result<void> StateStore::initialize() {
  sqlite::Connection& db = *db_;
  if (sqlite3_db_readonly(db.handle(), "main") == 1) {
    return fail(path_ +
                ": the state database is read-only for this process; give the daemon's "
                "user write access to it, or set state_dir: to another folder");
  }
  sqlite3_busy_timeout(db.handle(), kBusyTimeoutMs);

  // Read-only checks first: nothing is written to a file that is refused.
  Result<std::int64_t> version = db.query_int64("PRAGMA user_version");
  if (!version) return open_error(path_, db.errcode(), version.error());
  Result<std::int64_t> app_id = db.query_int64("PRAGMA application_id");
  if (!app_id) return open_error(path_, db.errcode(), app_id.error());
  Result<std::int64_t> tables = db.query_int64("SELECT count(*) FROM sqlite_schema");
  if (!tables) return open_error(path_, db.errcode(), tables.error());
  if ((*app_id != 0 && *app_id != kStateApplicationId) || (*version == 0 && *tables != 0)) {
    return fail(path_ + ": a SQLite database of another program (application_id " +
                std::to_string(*app_id) + ", user_version " + std::to_string(*version) +
                "), not blockhealth's state; move it aside, or set state_dir: to another folder");
  }
  if (*version > kStateSchemaVersion || *version < 0) {
    return fail(path_ + ": written by a newer blockhealthd (schema " + std::to_string(*version) +
                ", this one knows " + std::to_string(kStateSchemaVersion) +
                "); run that version, or " + kMoveAside);
  }
  if (Result<void> r = check_integrity(); !r) return r;

  std::string mode;
  {
    Result<sqlite::Statement> wal = db.prepare("PRAGMA journal_mode=WAL");
    Result<bool> row = wal ? wal->step() : Result<bool>(wal.error());
    if (!row) return open_error(path_, db.errcode(), row.error());
    if (*row) mode = wal->column_text(0);
  }  // finalized: no statement may stay open across the migration's COMMIT
  if (mode != "wal") {
    return fail(path_ + ": cannot switch the state database to WAL mode (journal_mode is '" + mode +
                "'); put state_dir: on a local filesystem");
  }
  if (Result<void> r = db.exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"); !r) {
    return open_error(path_, db.errcode(), r.error());
  }
  if (Result<void> r = migrate_state_schema(db, static_cast<int>(*version)); !r) {
    return fail(path_ +
                ": cannot create or upgrade the state database schema: " + r.error().message);
  }
  return {};
}

Result<void> StateStore::check_integrity() {
  sqlite::Connection& db = *db_;
  Result<sqlite::Statement> check = db.prepare("PRAGMA quick_check(5)");
  if (!check) return open_error(path_, db.errcode(), check.error());
  std::string problems;
  for (;;) {
    Result<bool> row = check->step();
    if (!row) {
      const int rc = db.errcode();
      if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) {
        return fail(corrupt_message(path_, row.error().message));
      }
      return open_error(path_, rc, row.error());
    }
    if (!*row) break;
    const std::string line = check->column_text(0);
    if (line == "ok") continue;
    problems += (problems.empty() ? "" : "; ") + line;
  }
  if (!problems.empty()) return fail(corrupt_message(path_, problems));
  return {};
}

Error StateStore::error(std::string_view op, const Error& e) const {
  return Error{std::string(op) + ": " + path_ + ": " + e.message, e.code};
}

Result<sqlite::StatementRef> StateStore::statement(std::string_view op, std::string_view sql) {
  Result<sqlite::StatementRef> s = db_->cached(sql);
  if (!s) return error(op, s.error());
  return s;
}

Result<void> StateStore::checkpoint() {
  std::lock_guard lock(mutex_);
  const int rc = sqlite3_wal_checkpoint_v2(db_->handle(), "main", SQLITE_CHECKPOINT_TRUNCATE,
                                           nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return error("checkpoint", Error{db_->errmsg(), sqlite::error_code_of(rc)});
  }
  return {};
}

}  // namespace blockhealth
