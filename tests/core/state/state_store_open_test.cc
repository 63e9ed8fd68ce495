// Opening the state database: what is created, and every refusal's message.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "core/state/state_schema.h"
#include "core/state/state_store.h"
#include "tests/core/state/state_test_child.h"
#include "tests/core/state/state_test_records.h"
#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// Runs SQL on a database file with the raw SQLite API (as another program
// would), returning sqlite3_errmsg or "" on success.
std::string raw_exec(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string message;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK ||
      sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    message = sqlite3_errmsg(db);
  }
  sqlite3_close(db);
  return message;
}

std::int64_t raw_int(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open(file.c_str(), &db) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::string open_error(const fs::path& state_dir) {
  Result<StateStorePtr> store = StateStore::open(state_dir);
  return store ? "" : store.error().message;
}

// A closed state database of a few hundred KiB (many pages) in `dir`.
fs::path filled_database(const fs::path& dir) {
  Result<StateStorePtr> store = StateStore::open(dir);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return {};
  }
  for (std::uint64_t seq = 1; seq <= 400; ++seq) {
    Transition t = test::make_transition(seq, "llm", "gpu-" + std::to_string(seq % 8));
    t.reason.append(600, 'x');
    if (!(*store)->append_transition(t)) ADD_FAILURE() << "append " << seq;
  }
  return (*store)->path();  // closing checkpoints the WAL into the file
}

void overwrite(const fs::path& file, std::uintmax_t offset, const std::string& bytes) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << file;
}

TEST(StateStoreOpenTest, NewDatabaseIsWalWithTheCurrentSchema) {
  TempDir dir;
  const fs::path state_dir = dir.path() / "state";
  std::string path;
  {
    Result<StateStorePtr> store = StateStore::open(state_dir);
    ASSERT_TRUE(store) << store.error().message;
    path = (*store)->path();
    EXPECT_EQ(raw_int(path, "PRAGMA user_version"), kStateSchemaVersion);
    EXPECT_EQ(raw_int(path, "PRAGMA application_id"), 0x42484C54);
  }
  EXPECT_EQ(path, (state_dir / "blockhealth.db").string());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(StateStoreOpenTest, AnEmptyFileIsTakenAsANewDatabase) {
  TempDir dir;
  const fs::path file = dir.write("blockhealth.db", "");
  Result<StateStorePtr> store = StateStore::open(dir.path());
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->append_transition(test::make_transition(1)));
  EXPECT_EQ(raw_int(file, "PRAGMA user_version"), kStateSchemaVersion);
}

TEST(StateStoreOpenTest, EmptyStateDirIsRefused) {
  EXPECT_EQ(open_error(""), "state_dir is empty: set state_dir: to a folder the daemon can write");
}

TEST(StateStoreOpenTest, StateDirThatIsAFileIsRefused) {
  TempDir dir;
  const fs::path file = dir.write("not-a-folder", "x");
  EXPECT_EQ(open_error(file), "state_dir " + file.string() +
                                  " is not a folder: set state_dir: to a folder (it is created "
                                  "when missing)");
  // A folder that would have to be made inside a file cannot be created.
  const std::string inside = open_error(file / "state");
  EXPECT_EQ(inside.rfind("cannot create state_dir " + (file / "state").string() + ": ", 0), 0U)
      << inside;
}

TEST(StateStoreOpenTest, StateDirThatCannotBeCreatedIsRefused) {
  // /proc accepts no new folders, not even from root.
  const std::string message = open_error("/proc/self/blockhealth-state");
  EXPECT_EQ(message.rfind("cannot create state_dir /proc/self/blockhealth-state: ", 0), 0U)
      << message;
  EXPECT_NE(message.find("set state_dir: to a folder the daemon can write"), std::string::npos);
}

TEST(StateStoreOpenTest, DatabasePathThatIsAFolderIsRefused) {
  TempDir dir;
  fs::create_directory(dir.path() / "blockhealth.db");
  EXPECT_EQ(open_error(dir.path()),
            (dir.path() / "blockhealth.db").string() +
                ": not a regular file; move it aside, or set state_dir: to another folder");
}

TEST(StateStoreOpenTest, AFileThatIsNotSqliteIsRefused) {
  TempDir dir;
  const fs::path file = dir.write("blockhealth.db", std::string(8192, 'G') + "garbage");
  EXPECT_EQ(open_error(dir.path()),
            file.string() +
                ": file is not a database (not a blockhealth state database); move "
                "it aside, or set state_dir: to another folder");
  EXPECT_EQ(fs::file_size(file), 8192U + 7U);  // left as it was
}

TEST(StateStoreOpenTest, GarbageOverTheMiddleIsReportedAsCorrupt) {
  TempDir dir;
  const fs::path file = filled_database(dir.path());
  ASSERT_FALSE(file.empty());
  const std::uintmax_t size = fs::file_size(file);
  ASSERT_GT(size, 64U * 4096U);
  overwrite(file, (size / 2 / 4096) * 4096, std::string(std::size_t{3} * 4096, '\xA5'));

  const std::string message = open_error(dir.path());
  EXPECT_EQ(message.rfind(file.string() + ": the state database is corrupt (quick_check: ", 0), 0U)
      << message;
  EXPECT_NE(message.find("); move it (with any -wal and -shm file beside it) aside to start with "
                         "empty history"),
            std::string::npos)
      << message;
}

TEST(StateStoreOpenTest, ATruncatedFileIsReportedAsCorrupt) {
  TempDir dir;
  const fs::path file = filled_database(dir.path());
  ASSERT_FALSE(file.empty());
  fs::resize_file(file, fs::file_size(file) / 2);
  const std::string message = open_error(dir.path());
  EXPECT_EQ(message.rfind(file.string() + ": the state database is corrupt (quick_check: ", 0), 0U)
      << message;
}

TEST(StateStoreOpenTest, ASchema1DatabaseIsUpgradedKeepingItsHistory) {
  TempDir dir;
  const fs::path file = filled_database(dir.path());
  ASSERT_FALSE(file.empty());
  // What a blockhealthd of schema 1 left: no api_blocks table.
  ASSERT_EQ(raw_exec(file, "DROP TABLE api_blocks; PRAGMA user_version = 1"), "");
  {
    Result<StateStorePtr> store = StateStore::open(dir.path());
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->put_api_block({"llm", "{}", 1}));
    Result<std::vector<ApiBlockRecord>> blocks = (*store)->load_api_blocks();
    ASSERT_TRUE(blocks) << blocks.error().message;
    EXPECT_EQ(blocks->size(), 1U);
  }
  EXPECT_EQ(raw_int(file, "PRAGMA user_version"), kStateSchemaVersion);
  EXPECT_EQ(raw_int(file, "SELECT count(*) FROM transitions"), 400);
}

TEST(StateStoreOpenTest, ANewerSchemaIsRefusedAndLeftUntouched) {
  TempDir dir;
  const fs::path file = filled_database(dir.path());
  ASSERT_FALSE(file.empty());
  ASSERT_EQ(raw_exec(file, "PRAGMA user_version = 3"), "");
  EXPECT_EQ(open_error(dir.path()),
            file.string() +
                ": written by a newer blockhealthd (schema 3, this one knows 2); run "
                "that version, or move it (with any -wal and -shm file beside it) "
                "aside to start with empty history");
  EXPECT_EQ(raw_int(file, "PRAGMA user_version"), 3);
  EXPECT_EQ(raw_int(file, "SELECT count(*) FROM transitions"), 400);
}

TEST(StateStoreOpenTest, AnotherProgramsDatabaseIsRefused) {
  TempDir dir;
  const fs::path file = dir.path() / "blockhealth.db";
  ASSERT_EQ(raw_exec(file, "CREATE TABLE photos (id INTEGER PRIMARY KEY)"), "");
  EXPECT_EQ(open_error(dir.path()),
            file.string() +
                ": a SQLite database of another program (application_id 0, "
                "user_version 0), not blockhealth's state; move it aside, or set "
                "state_dir: to another folder");
  ASSERT_EQ(raw_exec(file, "DROP TABLE photos; PRAGMA application_id = 7"), "");
  const std::string message = open_error(dir.path());
  EXPECT_NE(message.find("another program (application_id 7"), std::string::npos) << message;
}

// Folder and file permissions only bind a process without root's powers:
// these run in a child that drops to nobody when the tests run as root.
class UnprivilegedOpenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The child must be able to reach the temp folder (mkdtemp makes it 0700).
    fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read |
                                     fs::perms::group_exec | fs::perms::others_read |
                                     fs::perms::others_exec);
  }
  void TearDown() override {
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path(), ec)) {
      if (entry.is_directory()) fs::permissions(entry.path(), fs::perms::owner_all, ec);
    }
  }

  // The open error the unprivileged child gets; GTEST_SKIPs when it cannot run.
  std::optional<std::string> open_error_unprivileged(const fs::path& state_dir) {
    return test::run_unprivileged([&] { return open_error(state_dir); });
  }

  TempDir dir_;
};

TEST_F(UnprivilegedOpenTest, ReadOnlyFolderIsRefused) {
  const fs::path state_dir = dir_.path() / "ro";
  fs::create_directory(state_dir);
  fs::permissions(state_dir, fs::perms::owner_read | fs::perms::owner_exec |
                                 fs::perms::others_read | fs::perms::others_exec);
  const std::optional<std::string> message = open_error_unprivileged(state_dir);
  if (!message) GTEST_SKIP() << "cannot run a child as an unprivileged user here";
  EXPECT_EQ(*message, "state_dir " + state_dir.string() +
                          " is not writable (Permission denied): give the daemon's user write "
                          "access to it, or set state_dir: to another folder");
}

TEST_F(UnprivilegedOpenTest, FolderInAReadOnlyParentIsRefused) {
  const fs::path parent = dir_.path() / "ro";
  fs::create_directory(parent);
  fs::permissions(parent, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  const std::optional<std::string> message = open_error_unprivileged(parent / "state");
  if (!message) GTEST_SKIP() << "cannot run a child as an unprivileged user here";
  EXPECT_EQ(*message, "cannot create state_dir " + (parent / "state").string() +
                          ": Permission denied; create it, or set state_dir: to a folder the "
                          "daemon can write");
}

TEST_F(UnprivilegedOpenTest, ReadOnlyDatabaseFileIsRefused) {
  const fs::path state_dir = dir_.path() / "state";
  {
    Result<StateStorePtr> store = StateStore::open(state_dir);
    ASSERT_TRUE(store) << store.error().message;
  }
  fs::permissions(state_dir, fs::perms::all);  // the folder is writable, the file is not
  const fs::path file = state_dir / "blockhealth.db";
  fs::permissions(file, fs::perms::owner_read | fs::perms::others_read);
  const std::optional<std::string> message = open_error_unprivileged(state_dir);
  if (!message) GTEST_SKIP() << "cannot run a child as an unprivileged user here";
  EXPECT_EQ(*message, file.string() +
                          ": the state database is read-only for this process; give the "
                          "daemon's user write access to it, or set state_dir: to another "
                          "folder");
}

}  // namespace
}  // namespace blockhealth
