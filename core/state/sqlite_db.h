// A small RAII layer over the SQLite C API: one connection, its prepared
// statements and its transactions. Errors come back as Result values whose
// message is sqlite3_errmsg; callers add what they were doing and where.
//
// Thread-safety: none. A Connection and everything made from it must be used
// by one thread at a time (StateStore holds a mutex around its connection).
#ifndef BLOCKHEALTH_CORE_STATE_SQLITE_DB_H
#define BLOCKHEALTH_CORE_STATE_SQLITE_DB_H

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace blockhealth::sqlite {

// The ErrorCode a SQLite result code maps to: constraint → kConflict,
// busy/locked → kBusy, anything else → kUnavailable.
ErrorCode error_code_of(int sqlite_rc);

// One prepared statement. Owned; finalized on destruction. Binding indexes
// start at 1, column indexes at 0.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Text and blobs are bound without a copy (SQLITE_STATIC): REQUIRES the
  // bound bytes to stay alive until reset(). A failed bind is reported by the
  // next step().
  void bind(int index, std::int64_t value);
  void bind(int index, double value);  // NaN is stored as NULL
  void bind(int index, std::string_view value);
  void bind_null(int index);

  // One step: true when a row is ready, false when done.
  Result<bool> step();
  // Steps until done; an error when a step fails.
  Result<void> run();
  // Rewinds and clears the bindings so the statement can run again.
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;  // "" for NULL

  // The result code of the last failed step (or bind), SQLITE_OK when none.
  int last_rc() const { return last_rc_; }

 private:
  void note_bind(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;
  int last_rc_ = SQLITE_OK;
};

// A cached statement borrowed from its Connection; reset (and its bindings
// cleared) when this handle dies. REQUIRES: the Connection outlives it.
class StatementRef {
 public:
  explicit StatementRef(Statement* statement) : statement_(statement) {}
  ~StatementRef() {
    if (statement_ != nullptr) statement_->reset();
  }
  StatementRef(StatementRef&& other) noexcept : statement_(other.statement_) {
    other.statement_ = nullptr;
  }
  StatementRef& operator=(StatementRef&&) = delete;
  StatementRef(const StatementRef&) = delete;
  StatementRef& operator=(const StatementRef&) = delete;

  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

// One database connection; closed on destruction (after its statements).
class Connection {
 public:
  // Opens `path` with sqlite3_open_v2 `flags`. The error message is
  // sqlite3_errmsg of the failed open.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int flags);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const { return db_; }
  std::string errmsg() const;
  // The primary result code of the last failed call on this connection.
  int errcode() const;

  // Runs one or more statements that return no rows needed by the caller.
  Result<void> exec(const char* sql);
  // A statement prepared once and kept for the connection's life.
  Result<StatementRef> cached(std::string_view sql);
  // A statement prepared for one use.
  Result<Statement> prepare(std::string_view sql);
  // The single integer a query such as "PRAGMA user_version" returns.
  Result<std::int64_t> query_int64(std::string_view sql);

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  Error error() const;

  sqlite3* db_;
  std::map<std::string, Statement, std::less<>> cache_;  // destroyed before db_ closes
};

// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed uncommitted, so
// every early return leaves nothing half-written.
// REQUIRES: the Connection outlives it; no other transaction is open.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& db);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Result<void> commit();

 private:
  explicit Transaction(Connection* db) : db_(db) {}
  Connection* db_;  // null once committed or rolled back
};

}  // namespace blockhealth::sqlite

#endif  // BLOCKHEALTH_CORE_STATE_SQLITE_DB_H
