#include "core/state/sqlite_db.h"

#include <cmath>
#include <utility>

namespace blockhealth::sqlite {

ErrorCode error_code_of(int sqlite_rc) {
  switch (sqlite_rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return ErrorCode::kConflict;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kBusy;
    default:
      return ErrorCode::kUnavailable;
  }
}

// ---- Statement ----

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(other.bind_rc_),
      last_rc_(other.last_rc_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = other.bind_rc_;
    last_rc_ = other.last_rc_;
  }
  return *this;
}

void Statement::note_bind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::bind(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value));
}

void Statement::bind(int index, double value) {
  note_bind(std::isnan(value) ? sqlite3_bind_null(stmt_, index)
                              : sqlite3_bind_double(stmt_, index, value));
}

void Statement::bind(int index, std::string_view value) {
  note_bind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index));
}

Result<bool> Statement::step() {
  if (bind_rc_ != SQLITE_OK) {
    last_rc_ = bind_rc_;
    return Error{std::string("cannot bind a value: ") + sqlite3_errstr(bind_rc_),
                 error_code_of(bind_rc_)};
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  last_rc_ = rc;
  return Error{sqlite3_errmsg(db_), error_code_of(rc)};
}

Result<void> Statement::run() {
  for (;;) {
    Result<bool> row = step();
    if (!row) return row.error();
    if (!*row) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
  last_rc_ = SQLITE_OK;
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
  return is_null(column) ? std::nan("") : sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  const int size = sqlite3_column_bytes(stmt_, column);
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

// ---- Connection ----

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e{db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc), error_code_of(rc)};
    sqlite3_close_v2(db);
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

std::string Connection::errmsg() const {
  return sqlite3_errmsg(db_);
}

int Connection::errcode() const {
  return sqlite3_errcode(db_) & 0xff;
}

Error Connection::error() const {
  return Error{errmsg(), error_code_of(sqlite3_errcode(db_))};
}

Result<void> Connection::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return error();
  return {};
}

Result<StatementRef> Connection::cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return error();
    it = cache_.emplace(std::string(sql), Statement(db_, stmt)).first;
  }
  return StatementRef(&it->second);
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return error();
  return Statement(db_, stmt);
}

Result<std::int64_t> Connection::query_int64(std::string_view sql) {
  Result<Statement> statement = prepare(sql);
  if (!statement) return statement.error();
  Result<bool> row = statement->step();
  if (!row) return row.error();
  if (!*row) return Error{"no row from: " + std::string(sql), ErrorCode::kUnavailable};
  return statement->column_int64(0);
}

// ---- Transaction ----

Result<Transaction> Transaction::begin(Connection& db) {
  Result<StatementRef> begin = db.cached("BEGIN IMMEDIATE");
  if (!begin) return begin.error();
  if (Result<void> r = (*begin)->run(); !r) return r.error();
  return Transaction(&db);
}

Result<void> Transaction::commit() {
  Connection* db = std::exchange(db_, nullptr);
  Result<StatementRef> commit = db->cached("COMMIT");
  Result<void> r = commit ? (*commit)->run() : Result<void>(commit.error());
  if (!r && sqlite3_get_autocommit(db->handle()) == 0) {
    // A failed COMMIT can leave the transaction open: end it, keeping the error.
    sqlite3_exec(db->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return r;
}

Transaction::~Transaction() {
  if (db_ != nullptr && sqlite3_get_autocommit(db_->handle()) == 0) {
    sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace blockhealth::sqlite
