#include "core/state/sqlite_db.h"

#include <gtest/gtest.h>

#include "tests/support/test_paths.h"

namespace blockhealth::sqlite {
namespace {

std::unique_ptr<Connection> open_in(const test::TempDir& dir) {
  Result<std::unique_ptr<Connection>> db =
      Connection::open((dir.path() / "t.db").string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) {
    ADD_FAILURE() << db.error().message;
    return nullptr;
  }
  if (!(*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")) ADD_FAILURE();
  return std::move(*db);
}

TEST(SqliteDbTest, TransactionRollsBackUnlessCommitted) {
  test::TempDir dir;
  std::unique_ptr<Connection> db = open_in(dir);
  ASSERT_NE(db, nullptr);
  {
    Result<Transaction> tx = Transaction::begin(*db);
    ASSERT_TRUE(tx) << tx.error().message;
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1, 'a')"));
  }  // dropped: rolled back
  Result<std::int64_t> count = db->query_int64("SELECT count(*) FROM t");
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0);
  {
    Result<Transaction> tx = Transaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (2, 'b')"));
    ASSERT_TRUE(tx->commit());
  }
  count = db->query_int64("SELECT count(*) FROM t");
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 1);
}

TEST(SqliteDbTest, CachedStatementIsResetAndReusable) {
  test::TempDir dir;
  std::unique_ptr<Connection> db = open_in(dir);
  ASSERT_NE(db, nullptr);
  for (std::int64_t k = 1; k <= 3; ++k) {
    Result<StatementRef> insert = db->cached("INSERT INTO t VALUES (?1, ?2)");
    ASSERT_TRUE(insert) << insert.error().message;
    const std::string value = "v" + std::to_string(k);
    (*insert)->bind(1, k);
    (*insert)->bind(2, value);
    ASSERT_TRUE((*insert)->run());
  }
  Result<StatementRef> select = db->cached("SELECT v FROM t WHERE k = ?1");
  ASSERT_TRUE(select);
  (*select)->bind(1, std::int64_t{2});
  Result<bool> row = (*select)->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*select)->column_text(0), "v2");
}

TEST(SqliteDbTest, ErrorsCarrySqlitesMessageAndAMappedCode) {
  test::TempDir dir;
  std::unique_ptr<Connection> db = open_in(dir);
  ASSERT_NE(db, nullptr);
  Result<StatementRef> bad = db->cached("SELEC nonsense");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "near \"SELEC\": syntax error");

  ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1, 'a')"));
  Result<void> duplicate = db->exec("INSERT INTO t VALUES (1, 'a')");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  EXPECT_EQ(duplicate.error().message, "UNIQUE constraint failed: t.k");

  Result<StatementRef> insert = db->cached("INSERT INTO t VALUES (?1, ?2)");
  ASSERT_TRUE(insert);
  (*insert)->bind(3, std::int64_t{1});  // no such parameter
  Result<bool> step = (*insert)->step();
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().message, "cannot bind a value: column index out of range");
}

TEST(SqliteDbTest, OpeningAMissingFolderFails) {
  test::TempDir dir;
  Result<std::unique_ptr<Connection>> db =
      Connection::open((dir.path() / "no" / "such" / "t.db").string(), SQLITE_OPEN_READWRITE);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().message, "unable to open database file");
}

}  // namespace
}  // namespace blockhealth::sqlite
