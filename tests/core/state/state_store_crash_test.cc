// Durability under a real crash (a child process killed with SIGKILL or
// leaving with _exit, the store never closed), a full disk, and several
// writer threads at once.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <sstream>
#include <thread>

#include "core/state/state_store.h"
#include "tests/core/state/state_test_child.h"
#include "tests/core/state/open_test_store.h"
#include "tests/core/state/state_test_records.h"
#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

using test::make_delivery;
using test::make_transition;
using test::open_store;
using test::TempDir;

// Every number on its own line in `text`, the last one complete.
std::vector<std::uint64_t> numbers(const std::string& text) {
  std::vector<std::uint64_t> out;
  std::istringstream in(text.substr(0, text.rfind('\n') + 1));
  std::uint64_t n = 0;
  while (in >> n) out.push_back(n);
  return out;
}

TEST(StateStoreCrashTest, ExitWithoutClosingLosesNoCommittedWrite) {
  TempDir dir;
  const test::ChildOutcome child = test::run_in_child([&](int) {
    Result<StateStorePtr> store = StateStore::open(dir.path());
    if (!store) return 2;
    for (std::uint64_t seq = 1; seq <= 50; ++seq) {
      if (!(*store)->append_transition(make_transition(seq))) return 3;
    }
    if (!(*store)->put_maintenance({"llm", "gpu-0", "swap", 9000, 1})) return 4;
    if (!(*store)->put_silence({"s-1", "llm", "", "quiet", 9000, 1})) return 5;
    Result<std::int64_t> id = (*store)->add_delivery(make_delivery(50));
    if (!id || !(*store)->update_delivery(*id, 1, 4242, "timeout")) return 6;
    (void)store->release();  // leaked on purpose: never closed, like a crash
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(child.wait_status));
  ASSERT_EQ(WEXITSTATUS(child.wait_status), 0);
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "blockhealth.db-wal"));

  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  Result<std::vector<Transition>> transitions = store->transitions_after(0, 1000);
  ASSERT_TRUE(transitions);
  EXPECT_EQ(transitions->size(), 50U);
  Result<std::vector<Maintenance>> maintenance = store->load_maintenance();
  ASSERT_TRUE(maintenance);
  EXPECT_EQ(maintenance->size(), 1U);
  Result<std::vector<Silence>> silences = store->load_silences();
  ASSERT_TRUE(silences);
  EXPECT_EQ(silences->size(), 1U);
  Result<std::vector<Delivery>> deliveries = store->pending_deliveries();
  ASSERT_TRUE(deliveries);
  ASSERT_EQ(deliveries->size(), 1U);
  EXPECT_EQ((*deliveries)[0].attempts, 1);
  EXPECT_EQ((*deliveries)[0].next_attempt_ms, 4242);
  EXPECT_EQ((*deliveries)[0].last_error, "timeout");
}

TEST(StateStoreCrashTest, SigkillMidStreamLosesNoCommittedWrite) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: a transition, then its delivery, then "delivered" for every
    // other one; reports each seq once both are committed. Runs until killed.
    ::close(fds[0]);
    Result<StateStorePtr> store = StateStore::open(dir.path());
    if (!store) ::_exit(2);
    for (std::uint64_t seq = 1;; ++seq) {
      if (!(*store)->append_transition(make_transition(seq))) ::_exit(3);
      Result<std::int64_t> id = (*store)->add_delivery(make_delivery(seq));
      if (!id) ::_exit(4);
      if (seq % 2 == 0 && !(*store)->remove_delivery(*id)) ::_exit(5);
      if (!test::write_all(fds[1], std::to_string(seq) + "\n")) ::_exit(6);
    }
  }
  ::close(fds[1]);
  constexpr std::size_t kBeforeKill = 300;
  const std::string reported = test::read_until(
      fds[0], [](const std::string& s) { return numbers(s).size() >= kBeforeKill; },
      std::chrono::steady_clock::now() + std::chrono::seconds(60));
  ::kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child stopped on its own, exit " << WEXITSTATUS(status);
  const std::vector<std::uint64_t> committed = numbers(reported);
  ASSERT_GE(committed.size(), kBeforeKill);

  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  Result<std::vector<Transition>> transitions = store->transitions_after(0, 1'000'000);
  ASSERT_TRUE(transitions) << transitions.error().message;
  // Everything reported is there, with nothing missing in between; the kill
  // may have come after a later commit that was not reported yet.
  const std::uint64_t last = committed.back();
  ASSERT_GE(transitions->size(), last);
  for (std::size_t i = 0; i < transitions->size(); ++i) EXPECT_EQ((*transitions)[i].seq, i + 1);

  Result<std::vector<Delivery>> deliveries = store->pending_deliveries();
  ASSERT_TRUE(deliveries);
  std::set<std::uint64_t> pending;
  for (const Delivery& d : *deliveries) pending.insert(d.transition_seq);
  for (std::uint64_t seq = 1; seq <= last; ++seq) {
    EXPECT_EQ(pending.count(seq), seq % 2 == 0 ? 0U : 1U) << "delivery of seq " << seq;
  }
  // The store works on after the crash.
  ASSERT_TRUE(store->append_transition(make_transition(transitions->size() + 1)));
}

TEST(StateStoreCrashTest, AFullDiskIsAnErrorAndReadsKeepWorking) {
  TempDir dir;
  const test::ChildOutcome child = test::run_in_child([&](int fd) {
    Result<StateStorePtr> store = StateStore::open(dir.path());
    if (!store) return 2;
    // Files this process writes may not grow past 256 KiB: a disk that fills up.
    std::signal(SIGXFSZ, SIG_IGN);
    constexpr rlim_t kMaxFileSize = rlim_t{256} * 1024;
    const rlimit limit{kMaxFileSize, kMaxFileSize};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 3;
    std::uint64_t stored = 0;
    Result<void> r;
    for (std::uint64_t seq = 1; seq <= 1000 && r; ++seq) {
      Transition t = make_transition(seq);
      t.reason.append(4000, 'r');
      r = (*store)->append_transition(t);
      if (r) stored = seq;
    }
    if (r) return 4;  // never failed
    Result<std::vector<Transition>> read = (*store)->recent_transitions(100'000);
    Result<std::int64_t> small = (*store)->add_delivery(make_delivery(1));
    test::write_all(fd, std::to_string(stored) + "\n" + r.error().message + "\n" +
                            (read ? std::to_string(read->size()) : read.error().message) + "\n");
    (void)store->release();  // a crash right after: recovery must cope with the failed write
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(child.wait_status)) << child.output;
  ASSERT_EQ(WEXITSTATUS(child.wait_status), 0) << child.output;
  std::istringstream lines(child.output);
  std::string stored, failure, read;
  std::getline(lines, stored);
  std::getline(lines, failure);
  std::getline(lines, read);
  ASSERT_GT(std::stoull(stored), 0U);
  EXPECT_EQ(
      failure.rfind("append_transition: " + (dir.path() / "blockhealth.db").string() + ": ", 0), 0U)
      << failure;
  EXPECT_EQ(read, stored) << "reads after the failed write";

  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  Result<std::uint64_t> max = store->max_transition_seq();
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, std::stoull(stored));
}

TEST(StateStoreCrashTest, ConcurrentWritersAndReadersFromSeveralThreads) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kEach = 100;
  std::vector<std::string> errors(kThreads);
  // The first error each thread met (vector slots: one writer each).
  auto note = [&errors](int t, const auto& result) {
    if (!result && errors[t].empty()) errors[t] = result.error().message;
  };
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 1; i <= kEach; ++i) {
        const auto seq = static_cast<std::uint64_t>(t) * kEach + i;
        Result<void> r =
            store->append_transition(make_transition(seq, "llm", "gpu-" + std::to_string(t)));
        Result<std::int64_t> id = store->add_delivery(make_delivery(seq));
        Result<void> removed = id ? store->remove_delivery(*id) : Result<void>(id.error());
        Result<std::vector<Transition>> recent = store->recent_transitions(1);
        Result<void> kept = store->put_silence(
            {"s-" + std::to_string(t), "llm", "", "thread", 9000, static_cast<std::int64_t>(seq)});
        note(t, r);
        note(t, removed);
        note(t, recent);
        note(t, kept);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");

  Result<std::vector<Transition>> all = store->transitions_after(0, 100'000);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kThreads * kEach));
  for (std::size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, i + 1);
  Result<std::vector<Delivery>> pending = store->pending_deliveries();
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());
  Result<std::vector<Silence>> silences = store->load_silences();
  ASSERT_TRUE(silences);
  EXPECT_EQ(silences->size(), static_cast<std::size_t>(kThreads));
  Result<std::vector<Transition>> newest = store->recent_transitions(1);
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->size(), static_cast<std::size_t>(kThreads));
}

}  // namespace
}  // namespace blockhealth
