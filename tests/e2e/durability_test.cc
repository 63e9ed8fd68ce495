// Durability end to end: the state store in state_dir keeps the history,
// maintenance windows and silences across a clean stop (SIGTERM) and a
// crash (SIGKILL); a corrupt database file or an unusable state_dir stops
// the daemon at start-up with a message naming the path.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kDbFile = "blockhealth.db";  // core/state/state_store.h

std::string config_with_state_dir(const std::filesystem::path& state_dir) {
  return on_request_yaml({"test_echo"}) + "state_dir: '" + state_dir.string() + "'\n" +
         R"(
blocks:
  - id: svc
    instances: [{id: node-1}, {id: node-2}]
    policies: [{use: test_echo}]
)";
}

// Runs blockhealthd on <dir>/blockhealth.yaml, expecting it to stop by
// itself; a daemon that starts after all is killed after 30s (exit 124).
CommandResult run_until_exit(const std::filesystem::path& dir) {
  const std::filesystem::path out = dir / "startup.txt";
  const std::string command = "timeout -s KILL 30 '" + (bin_dir() / "blockhealthd").string() +
                              "' --config '" + (dir / "blockhealth.yaml").string() +
                              "' --listen 127.0.0.1:0 >'" + out.string() + "' 2>&1";
  const int status = std::system(command.c_str());  // NOLINT(cert-env33-c): test-only, fixed
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out);
  result.output.assign(std::istreambuf_iterator<char>(in), {});
  return result;
}

// seq -> "from>to reason" for one block's history.
std::map<std::int64_t, std::string> history(const std::string& address, const std::string& block) {
  std::map<std::int64_t, std::string> out;
  const HttpReply reply = http_get(address, "/v1/blocks/" + block + "/history?limit=1000");
  EXPECT_EQ(reply.status, 200) << reply.body;
  if (reply.status != 200) return out;
  const json::value body = reply.json();
  for (const json::value& t : body.at("transitions").as_array()) {
    out[t.at("seq").to_number<std::int64_t>()] =
        str(t, "instance_id") + " " + str(t, "from") + ">" + str(t, "to") + " " + str(t, "reason");
  }
  return out;
}

// Holds an exclusive lock on the SQLite database `db` from another process
// (python3's sqlite3) while it lives, so the daemon's writes fail as they
// would on a full disk (here: SQLITE_BUSY after the busy timeout).
class DatabaseLock {
 public:
  DatabaseLock(const std::filesystem::path& db, std::filesystem::path marker)
      : marker_(std::move(marker)) {
    const std::string script =
        "import sqlite3, sys, pathlib\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "pathlib.Path(sys.argv[2]).write_text('locked')\n"
        "sys.stdin.read()\n"
        "c.execute('ROLLBACK')\n";
    const std::string command =
        "python3 -c \"" + script + "\" '" + db.string() + "' '" + marker_.string() + "'";
    pipe_ = ::popen(command.c_str(), "w");  // its stdin: closing it releases the lock
  }
  ~DatabaseLock() { release(); }
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;

  // Waits until the lock is taken.
  bool held() const {
    return pipe_ != nullptr && wait_until([&] { return std::filesystem::exists(marker_); });
  }
  void release() {
    if (pipe_ != nullptr) ::pclose(pipe_);
    pipe_ = nullptr;
  }

 private:
  std::filesystem::path marker_;
  FILE* pipe_ = nullptr;
};

class Durability : public ::testing::TestWithParam<int> {
 protected:
  std::filesystem::path state_dir() const { return dir_.path() / "var" / "state"; }

  void start() {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config_with_state_dir(state_dir()));
    ASSERT_TRUE(daemon_->started());
    ASSERT_EQ(mgmt(address(), "svc", "pause").status, 200);
  }

  // Stops the daemon with the test's signal and starts it again on the
  // same folder and state_dir.
  void restart() {
    daemon_->signal(GetParam());
    const auto code = daemon_->wait_exit();
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, GetParam() == SIGKILL ? 128 + SIGKILL : 0) << daemon_->log();
    daemon_.reset();
    start();
  }

  const std::string& address() const { return daemon_->address(); }

  void set_status(const std::string& instance, int value, const std::string& status) {
    ASSERT_EQ(push_status(address(), "svc", instance, value).status, 200);
    const json::value view = evaluate_and_wait(address(), "svc", [&](const json::value& v) {
      return str(instance_of(v, instance), "status") == status;
    });
    ASSERT_EQ(str(instance_of(view, instance), "status"), status) << view;
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_P(Durability, HistorySurvivesARestart) {
  start();
  set_status("node-1", 0, "ok");
  set_status("node-1", 2, "unhealthy");
  set_status("node-2", 1, "degraded");
  const auto before = history(address(), "svc");
  ASSERT_EQ(before.size(), 3u);
  EXPECT_TRUE(std::filesystem::exists(state_dir() / kDbFile));

  restart();
  const auto after = history(address(), "svc");
  for (const auto& [seq, text] : before) {
    ASSERT_TRUE(after.contains(seq)) << "transition " << seq << " lost: " << text;
    EXPECT_EQ(after.at(seq), text);
  }
  // Numbering goes on after the restored transitions.
  set_status("node-2", 2, "unhealthy");
  const auto latest = history(address(), "svc");
  ASSERT_FALSE(latest.empty());
  EXPECT_GT(latest.rbegin()->first, before.rbegin()->first);
  EXPECT_NE(latest.rbegin()->second.find("node-2"), std::string::npos) << latest.rbegin()->second;
  EXPECT_NE(latest.rbegin()->second.find(">unhealthy"), std::string::npos);
}

// /v1/events after a cursor from before the restart reads the older events
// from the store (they are no longer in the in-memory ring), and the cursor
// without ?after= starts at the newest stored transition.
TEST_P(Durability, EventsFromBeforeARestartAreServedFromTheStore) {
  start();
  set_status("node-1", 0, "ok");
  set_status("node-1", 2, "unhealthy");
  const auto before = history(address(), "svc");
  ASSERT_EQ(before.size(), 2u);
  restart();
  const HttpReply events = http_get(address(), "/v1/events?after=0&block=svc&wait=0s");
  ASSERT_EQ(events.status, 200) << events.body;
  const json::value page = events.json();
  std::vector<std::int64_t> seqs;
  for (const json::value& e : page.at("events").as_array()) {
    seqs.push_back(e.at("seq").to_number<std::int64_t>());
  }
  for (const auto& [seq, text] : before) {
    EXPECT_NE(std::find(seqs.begin(), seqs.end(), seq), seqs.end())
        << "event " << seq << " (" << text << ") missing after the restart: " << events.body;
  }
  const HttpReply newest = http_get(address(), "/v1/events?wait=0s");
  ASSERT_EQ(newest.status, 200) << newest.body;
  EXPECT_GE(newest.json().at("next").to_number<std::int64_t>(), before.rbegin()->first)
      << newest.body;
}

TEST_P(Durability, MaintenanceAndSilencesSurviveARestart) {
  start();
  HttpRequest put;
  put.method = "PUT";
  put.target = "/v1/blocks/svc/instances/node-1/maintenance";
  put.body = R"({"reason": "kernel upgrade", "until": "2h"})";
  put.headers["Content-Type"] = "application/json";
  ASSERT_EQ(http_request(address(), put).status, 200);
  const HttpReply silence =
      http_post(address(), "/v1/silences",
                R"({"block": "svc", "instance": "node-2", "reason": "noisy", "until": "3h"})");
  ASSERT_EQ(silence.status, 201) << silence.body;
  const json::value listed_before = http_get(address(), "/v1/silences").json();

  restart();
  const json::value listed_after = http_get(address(), "/v1/silences").json();
  EXPECT_EQ(listed_after, listed_before);
  ASSERT_EQ(listed_after.at("silences").as_array().size(), 1u) << listed_after;
  EXPECT_EQ(str(listed_after.at("silences").at(0), "id"), str(silence.json().at("silence"), "id"));
  const json::value view = wait_for_view(address(), "svc", [](const json::value& v) {
    return instance_of(v, "node-1").at("maintenance").is_object() &&
           instance_of(v, "node-2").at("silence").is_object();
  });
  EXPECT_EQ(str(instance_of(view, "node-1").at("maintenance"), "reason"), "kernel upgrade");
  EXPECT_EQ(str(instance_of(view, "node-2").at("silence"), "reason"), "noisy");

  // A lifted silence stays lifted after the next restart.
  const std::string id = str(silence.json().at("silence"), "id");
  HttpRequest del;
  del.method = "DELETE";
  del.target = "/v1/silences/" + id;
  ASSERT_EQ(http_request(address(), del).status, 200);
  restart();
  EXPECT_TRUE(http_get(address(), "/v1/silences").json().at("silences").as_array().empty());
}

// Issue 13, finding 7: transitions whose write failed (the database locked
// by another process, as a full disk would fail it) are kept, counted on
// /metrics, written once the store takes writes again, and survive a
// restart; none is lost.
TEST_P(Durability, TransitionsWhoseWriteFailedAreWrittenLater) {
  start();
  set_status("node-1", 0, "ok");
  {
    DatabaseLock lock(state_dir() / kDbFile, dir_.path() / "locked");
    ASSERT_TRUE(lock.held());
    set_status("node-1", 2, "unhealthy");  // its write fails (after the busy timeout)
    set_status("node-2", 1, "degraded");   // waits behind it
    ASSERT_TRUE(wait_until([&] {
      return metric_value(address(), "blockhealth_state_unwritten_transitions") == 2;
    })) << http_get(address(), "/metrics").body;
    EXPECT_GE(metric_value(address(), "blockhealth_state_write_failures_total"), 1);
    EXPECT_NE(daemon_->log().find("cannot record transitions in the state store"),
              std::string::npos)
        << daemon_->log();
  }
  ASSERT_TRUE(wait_until(
      [&] { return metric_value(address(), "blockhealth_state_unwritten_transitions") == 0; },
      std::chrono::seconds(60)))
      << daemon_->log();
  EXPECT_EQ(metric_value(address(), "blockhealth_state_dropped_transitions_total"), 0);
  const auto before = history(address(), "svc");
  ASSERT_EQ(before.size(), 3u);

  restart();
  const auto after = history(address(), "svc");
  for (const auto& [seq, text] : before) {
    ASSERT_TRUE(after.contains(seq)) << "transition " << seq << " lost: " << text;
    EXPECT_EQ(after.at(seq), text);
  }
}

INSTANTIATE_TEST_SUITE_P(Signals, Durability, ::testing::Values(SIGTERM, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == SIGKILL ? std::string("Sigkill")
                                                        : std::string("Sigterm");
                         });

TEST(DurabilityStartup, CorruptStateFileIsAClearStartupError) {
  TempDir dir;
  const std::filesystem::path state_dir = dir.path() / "state";
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage += static_cast<char>((i * 131 + 7) % 251);
  const auto db = dir.write("state/blockhealth.db", garbage);
  dir.write("blockhealth.yaml", config_with_state_dir(state_dir));
  const CommandResult run = run_until_exit(dir.path());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("cannot start"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(db.string()), std::string::npos) << run.output;
  // The file was not replaced.
  EXPECT_EQ(read_file(db), garbage);
}

TEST(DurabilityStartup, AnEmptyStateFileStartsButSaysSo) {
  TempDir dir;
  const std::filesystem::path state_dir = dir.path() / "state";
  const auto db = dir.write("state/blockhealth.db", "");
  DaemonProcess daemon(dir.path(), config_with_state_dir(state_dir));
  ASSERT_TRUE(daemon.started());
  EXPECT_NE(
      daemon.log().find("state " + db.string() + ": the file was empty (0 bytes), not a database"),
      std::string::npos)
      << daemon.log();
}

TEST(DurabilityStartup, StateDirThatIsAFileIsAClearStartupError) {
  TempDir dir;
  const auto file = dir.write("not-a-folder", "x");
  dir.write("blockhealth.yaml", config_with_state_dir(file));
  const CommandResult run = run_until_exit(dir.path());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find(file.string() + " is not a folder"), std::string::npos) << run.output;
}

TEST(DurabilityStartup, StateDirThatCannotBeCreatedIsAClearStartupError) {
  TempDir dir;
  dir.write("file", "x");
  const std::filesystem::path state_dir = dir.path() / "file" / "state";
  dir.write("blockhealth.yaml", config_with_state_dir(state_dir));
  const CommandResult run = run_until_exit(dir.path());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("cannot create state_dir " + state_dir.string()), std::string::npos)
      << run.output;
}

TEST(DurabilityStartup, UnwritableStateDirIsAClearStartupError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can write a read-only folder";
  TempDir dir;
  const std::filesystem::path state_dir = dir.path() / "state";
  std::filesystem::create_directories(state_dir);
  std::filesystem::permissions(
      state_dir, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  dir.write("blockhealth.yaml", config_with_state_dir(state_dir));
  const CommandResult run = run_until_exit(dir.path());
  std::filesystem::permissions(state_dir, std::filesystem::perms::owner_all);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("state_dir " + state_dir.string() + " is not writable"),
            std::string::npos)
      << run.output;
}

}  // namespace
}  // namespace blockhealth::test
