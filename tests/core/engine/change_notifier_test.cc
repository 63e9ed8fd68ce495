// ChangeNotifier: waiters are callbacks run once, when their key's index
// moves past what they saw, by whoever notifies.
#include "core/engine/change_notifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace blockhealth {
namespace {

TEST(ChangeNotifier, AnIndexAlreadyPastRunsTheCallbackAtOnce) {
  ChangeNotifier n;
  n.notify("block:a", 5);
  int calls = 0;
  EXPECT_EQ(n.wait("block:a", 4, [&] { ++calls; }), 0u);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(n.waiting(), 0u);
  EXPECT_EQ(n.index("block:a"), 5u);
  EXPECT_EQ(n.index("never"), 0u);
}

TEST(ChangeNotifier, WaitersRunOnceWhenTheirKeyMovesPast) {
  ChangeNotifier n;
  n.notify("block:a", 3);
  int a = 0;
  int b = 0;
  EXPECT_NE(n.wait("block:a", 3, [&] { ++a; }), 0u);
  EXPECT_NE(n.wait("block:b", 0, [&] { ++b; }), 0u);
  EXPECT_EQ(n.waiting(), 2u);
  n.notify("block:a", 3);  // not past 3
  EXPECT_EQ(a, 0);
  n.notify("block:b", 1);  // another key
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
  n.notify("block:a", 4);
  EXPECT_EQ(a, 1);
  n.notify("block:a", 5);  // once only
  EXPECT_EQ(a, 1);
  EXPECT_EQ(n.waiting(), 0u);
}

TEST(ChangeNotifier, TheIndexNeverGoesBack) {
  ChangeNotifier n;
  n.notify("k", 7);
  n.notify("k", 2);
  EXPECT_EQ(n.index("k"), 7u);
  int calls = 0;
  n.wait("k", 6, [&] { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST(ChangeNotifier, CancelledWaitersNeverRun) {
  ChangeNotifier n;
  int calls = 0;
  const std::uint64_t token = n.wait("k", 0, [&] { ++calls; });
  ASSERT_NE(token, 0u);
  EXPECT_TRUE(n.cancel(token));
  EXPECT_FALSE(n.cancel(token));
  n.notify("k", 1);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(n.waiting(), 0u);
  // A waiter that already ran cannot be cancelled.
  const std::uint64_t ran = n.wait("k", 1, [&] { ++calls; });
  n.notify("k", 2);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(n.cancel(ran));
}

TEST(ChangeNotifier, ACallbackMayWaitAgain) {
  // Callbacks run outside the lock: one may register the next wait.
  ChangeNotifier n;
  int calls = 0;
  std::function<void()> again = [&] {
    ++calls;
    n.wait("k", n.index("k"), again);
  };
  n.wait("k", 0, again);
  n.notify("k", 1);
  n.notify("k", 2);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(n.waiting(), 1u);
}

TEST(ChangeNotifier, ManyWaitersFromManyThreadsAllWake) {
  ChangeNotifier n;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::atomic<int> woken{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) n.wait("k", 0, [&] { ++woken; });
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(n.waiting(), static_cast<std::size_t>(kThreads * kPerThread));
  n.notify("k", 1);
  EXPECT_EQ(woken.load(), kThreads * kPerThread);
  EXPECT_EQ(n.waiting(), 0u);
}

}  // namespace
}  // namespace blockhealth
