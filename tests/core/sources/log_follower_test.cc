// LogFollower on real files, one check at a time (deterministic: no
// threads, no watching).
#include "core/sources/log_follower.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

void append(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << bytes;
}

SourceOptions options() {
  SourceOptions o;
  o.partial_line_timeout = std::chrono::milliseconds(1'000);
  o.max_line_bytes = 64;
  return o;
}

class LogFollowerTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  fs::path path_ = dir_.path() / "model.log";
};

TEST_F(LogFollowerTest, StartsAtTheEndOfAnExistingFile) {
  append(path_, "old error\nold line\n");
  LogFollower f(path_, options());
  const LogCheck first = f.prime();
  EXPECT_TRUE(first.ok);
  EXPECT_TRUE(first.lines.empty());
  EXPECT_EQ(f.position(), 19u);
  EXPECT_TRUE(f.check(0).lines.empty());
  append(path_, "new line\n");
  EXPECT_EQ(f.check(0).lines, (Lines{"new line"}));
}

TEST_F(LogFollowerTest, AFileThatAppearsLaterIsReadFromItsBeginning) {
  LogFollower f(path_, options());
  LogCheck c = f.prime();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.note, "no such file (waiting for it to appear)");
  c = f.check(0);
  EXPECT_FALSE(c.ok);
  append(path_, "first\nsecond\n");
  c = f.check(0);
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.lines, (Lines{"first", "second"}));
}

TEST_F(LogFollowerTest, RenameAndRecreate) {
  append(path_, "before\n");
  LogFollower f(path_, options());
  f.prime();
  append(path_, "a\n");
  fs::rename(path_, dir_.path() / "model.log.1");
  append(dir_.path() / "model.log.1", "b\n");  // the writer still has the old file open
  EXPECT_EQ(f.check(0).lines, (Lines{"a", "b"}));
  append(path_, "c\n");  // the writer reopened
  const LogCheck c = f.check(0);
  EXPECT_EQ(c.lines, (Lines{"c"}));
  EXPECT_EQ(c.note, "rotated");
  append(path_, "d\n");
  EXPECT_EQ(f.check(0).lines, (Lines{"d"}));
}

TEST_F(LogFollowerTest, RotationDrainsTheOldFileBeforeTheNewOne) {
  LogFollower f(path_, options());
  append(path_, "");
  f.prime();
  append(path_, "old 1\n");
  fs::rename(path_, dir_.path() / "model.log.1");
  append(dir_.path() / "model.log.1", "old 2\n");
  append(path_, "new 1\n");
  EXPECT_EQ(f.check(0).lines, (Lines{"old 1", "old 2", "new 1"}));
}

TEST_F(LogFollowerTest, CopyTruncate) {
  append(path_, "");
  LogFollower f(path_, options());
  f.prime();
  append(path_, "a fairly long line before rotation\nanother long line\n");
  EXPECT_EQ(f.check(0).lines.size(), 2u);
  fs::copy_file(path_, dir_.path() / "model.log.1");
  fs::resize_file(path_, 0);
  append(path_, "after\n");
  const LogCheck c = f.check(0);
  EXPECT_EQ(c.lines, (Lines{"after"}));
  EXPECT_EQ(c.note, "truncated");
}

TEST_F(LogFollowerTest, DeletedFileThenRecreated) {
  append(path_, "");
  LogFollower f(path_, options());
  f.prime();
  fs::remove(path_);
  LogCheck c = f.check(0);
  EXPECT_TRUE(c.ok);  // still holding the deleted file open
  EXPECT_TRUE(c.lines.empty());
  append(path_, "reborn\n");
  c = f.check(0);
  EXPECT_EQ(c.lines, (Lines{"reborn"}));
}

TEST_F(LogFollowerTest, PartialLineHeldUntilNewlineOrTimeout) {
  append(path_, "");
  LogFollower f(path_, options());
  f.prime();
  append(path_, "hello wo");
  EXPECT_TRUE(f.check(0).lines.empty());
  EXPECT_TRUE(f.has_partial_line());
  append(path_, "rld\nstuck");
  EXPECT_EQ(f.check(10).lines, (Lines{"hello world"}));
  EXPECT_TRUE(f.check(500).lines.empty());
  EXPECT_EQ(f.check(1'010).lines, (Lines{"stuck"}));
}

TEST_F(LogFollowerTest, RotationTakesTheOldFilesPartialLine) {
  append(path_, "");
  LogFollower f(path_, options());
  f.prime();
  append(path_, "unfinished");
  EXPECT_TRUE(f.check(0).lines.empty());
  fs::rename(path_, dir_.path() / "model.log.1");
  append(path_, "new\n");
  EXPECT_EQ(f.check(0).lines, (Lines{"unfinished", "new"}));
}

TEST_F(LogFollowerTest, VeryLongLineIsCutAndFollowingContinues) {
  append(path_, "");
  LogFollower f(path_, options());
  f.prime();
  append(path_, std::string(100'000, 'z') + "\nafter\n");
  const LogCheck c = f.check(0);
  ASSERT_EQ(c.lines.size(), 2u);
  EXPECT_LE(c.lines[0].size(), 64u);
  EXPECT_TRUE(c.lines[0].ends_with("…"));
  EXPECT_EQ(c.lines[1], "after");
}

TEST_F(LogFollowerTest, BinaryGarbageIsSanitized) {
  append(path_, "");
  LogFollower f(path_, options());
  f.prime();
  append(path_, std::string("\x7f"
                            "ELF\x02\x01\x01\x00\x00\xff\xfe\n",
                            12));
  const LogCheck c = f.check(0);
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_NE(c.lines[0].find("\xEF\xBF\xBD"), std::string::npos);
}

TEST_F(LogFollowerTest, BigBacklogIsReadOverSeveralChecks) {
  SourceOptions o = options();
  o.max_read_per_check = 1024;
  LogFollower f(path_, o);
  f.prime();  // no file yet: it will be read from its beginning
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  append(path_, text);
  std::size_t lines = 0;
  int checks = 0;
  for (LogCheck c = f.check(0);; c = f.check(0)) {
    ++checks;
    lines += c.lines.size();
    if (!c.more) break;
    ASSERT_LT(checks, 1000);
  }
  EXPECT_EQ(lines, 1000u);
  EXPECT_GT(checks, 5);
}

TEST_F(LogFollowerTest, UnreadableFileSaysWhy) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  LogFollower f(path_, options());
  f.prime();
  append(path_, "secret\n");
  fs::permissions(path_, fs::perms::none);
  const LogCheck c = f.check(0);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.note, "cannot open: Permission denied");
}

}  // namespace
}  // namespace blockhealth
