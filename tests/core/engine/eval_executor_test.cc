#include "core/engine/eval_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>

#include "tests/support/wait_until.h"

namespace blockhealth {
namespace {

using test::wait_until;
using namespace std::chrono_literals;

// Tasks that block until released, as a plugin call that does not return
// would. The gate opens at the latest when it dies, and its tasks share its
// state, so no test leaves a thread stuck or pointing at a dead object.
class Gate {
 public:
  Gate() : state_(std::make_shared<State>()) {
    state_->opened = state_->promise.get_future().share();
  }
  ~Gate() { open(); }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  void open() {
    if (!state_->opened_flag.exchange(true)) state_->promise.set_value();
  }
  // Records that it started, waits for the gate, records that it finished.
  std::function<void()> task() {
    return [state = state_] {
      ++state->started;
      state->opened.wait();
      ++state->finished;
    };
  }
  int started() const { return state_->started.load(); }
  int finished() const { return state_->finished.load(); }

 private:
  struct State {
    std::promise<void> promise;
    std::shared_future<void> opened;
    std::atomic<bool> opened_flag{false};
    std::atomic<int> started{0};
    std::atomic<int> finished{0};
  };
  std::shared_ptr<State> state_;
};

TEST(EvalExecutor, RunsSubmittedTasks) {
  EvalExecutor pool(2, 16, 4, 1s);
  EXPECT_TRUE(wait_until([&] { return pool.live_workers() == 2; }));
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(pool.submit([&] { ++ran; }));
  EXPECT_TRUE(wait_until([&] { return ran.load() == 10; }));
  EXPECT_EQ(pool.abandoned_running(), 0U);
}

TEST(EvalExecutor, ZeroWorkersMeansOne) {
  EvalExecutor pool(0, 4, 1, 1s);
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.submit([&] { ran = true; }));
  EXPECT_TRUE(wait_until([&] { return ran.load(); }));
  EXPECT_EQ(pool.live_workers(), 1U);
}

TEST(EvalExecutor, TheQueueIsBounded) {
  EvalExecutor pool(1, 2, 4, 5s);
  Gate gate;
  ASSERT_TRUE(pool.submit(gate.task()));
  ASSERT_TRUE(wait_until([&] { return gate.started() == 1; }));  // the worker is busy
  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.submit([&] { ++ran; }));
  EXPECT_TRUE(pool.submit([&] { ++ran; }));
  EXPECT_FALSE(pool.submit([&] { ++ran; }));  // two queued already
  gate.open();
  EXPECT_TRUE(wait_until([&] { return ran.load() == 2; }));
  EXPECT_TRUE(pool.submit([&] { ++ran; }));  // room again
  EXPECT_TRUE(wait_until([&] { return ran.load() == 3; }));
}

TEST(EvalExecutor, AbandonStartsAReplacementSoCapacitySurvivesAHungTask) {
  EvalExecutor pool(1, 8, 4, 5s);
  Gate gate;
  EvalExecutor::Ticket ticket;
  ASSERT_TRUE(pool.submit(gate.task(), &ticket));
  ASSERT_TRUE(wait_until([&] { return gate.started() == 1; }));
  ticket.abandon();
  EXPECT_EQ(pool.abandoned_running(), 1U);
  EXPECT_EQ(pool.live_workers(), 2U);
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.submit([&] { ran = true; }));
  EXPECT_TRUE(wait_until([&] { return ran.load(); }));
  EXPECT_EQ(gate.finished(), 0);  // the hung task is still hung
  gate.open();
  // The abandoned task's worker retires once it returns.
  EXPECT_TRUE(
      wait_until([&] { return pool.abandoned_running() == 0 && pool.live_workers() == 1; }));
  EXPECT_EQ(gate.finished(), 1);
}

TEST(EvalExecutor, AbandonTwiceCountsOnce) {
  EvalExecutor pool(1, 8, 4, 5s);
  Gate gate;
  EvalExecutor::Ticket ticket;
  ASSERT_TRUE(pool.submit(gate.task(), &ticket));
  ASSERT_TRUE(wait_until([&] { return gate.started() == 1; }));
  ticket.abandon();
  ticket.abandon();
  EXPECT_EQ(pool.abandoned_running(), 1U);
  EXPECT_EQ(pool.live_workers(), 2U);
  gate.open();
  EXPECT_TRUE(
      wait_until([&] { return pool.abandoned_running() == 0 && pool.live_workers() == 1; }));
}

TEST(EvalExecutor, AbandonAfterTheTaskFinishedIsANoOp) {
  EvalExecutor pool(1, 8, 4, 5s);
  EvalExecutor::Ticket ticket;
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.submit([&] { ran = true; }, &ticket));
  ASSERT_TRUE(wait_until([&] { return ran.load(); }));
  // "finished" is set under the pool's lock right after the task returns.
  ASSERT_TRUE(wait_until([&] {
    ticket.abandon();
    return pool.abandoned_running() == 0;
  }));
  EXPECT_EQ(pool.abandoned_running(), 0U);
  EXPECT_EQ(pool.live_workers(), 1U);
}

TEST(EvalExecutor, AnEmptyTicketCanBeAbandoned) {
  EvalExecutor::Ticket ticket;
  ticket.abandon();  // never submitted: nothing happens
  SUCCEED();
}

TEST(EvalExecutor, TooManyAbandonedCallsStopNewWork) {
  EvalExecutor pool(1, 8, 1, 5s);
  Gate gate;
  EvalExecutor::Ticket first;
  EvalExecutor::Ticket second;
  ASSERT_TRUE(pool.submit(gate.task(), &first));
  ASSERT_TRUE(wait_until([&] { return gate.started() == 1; }));
  first.abandon();
  EXPECT_EQ(pool.live_workers(), 2U);
  ASSERT_TRUE(pool.submit(gate.task(), &second));
  ASSERT_TRUE(wait_until([&] { return gate.started() == 2; }));
  second.abandon();
  EXPECT_EQ(pool.abandoned_running(), 2U);
  EXPECT_EQ(pool.live_workers(), 2U);  // no replacement past max_abandoned
  EXPECT_FALSE(pool.submit([] {}));
  gate.open();
  EXPECT_TRUE(
      wait_until([&] { return pool.abandoned_running() == 0 && pool.live_workers() == 1; }));
  std::atomic<bool> ran{false};
  EXPECT_TRUE(pool.submit([&] { ran = true; }));
  EXPECT_TRUE(wait_until([&] { return ran.load(); }));
}

TEST(EvalExecutor, DestructionWithAHungTaskReturnsAfterTheGraceAndDropsQueuedWork) {
  auto gate = std::make_shared<Gate>();
  auto queued_ran = std::make_shared<std::atomic<bool>>(false);
  auto queued_state = std::make_shared<int>(7);
  std::weak_ptr<int> queued_state_alive = queued_state;
  {
    EvalExecutor pool(1, 8, 4, 50ms);
    ASSERT_TRUE(pool.submit(gate->task()));
    ASSERT_TRUE(wait_until([&] { return gate->started() == 1; }));
    ASSERT_TRUE(pool.submit([queued_ran, state = std::move(queued_state)] { *queued_ran = true; }));
  }  // returns although the task is still hung
  EXPECT_EQ(gate->finished(), 0);
  EXPECT_TRUE(queued_state_alive.expired());  // the dropped task's captures were released
  gate->open();
  EXPECT_TRUE(wait_until([&] { return gate->finished() == 1; }));
  EXPECT_FALSE(queued_ran->load());
}

TEST(EvalExecutor, DestructionWaitsForRunningTasksWithinTheGrace) {
  auto gate = std::make_shared<Gate>();
  std::atomic<bool> destroyed{false};
  std::thread destroyer;
  {
    auto pool = std::make_unique<EvalExecutor>(1, 8, 4, 20s);
    ASSERT_TRUE(pool->submit(gate->task()));
    ASSERT_TRUE(wait_until([&] { return gate->started() == 1; }));
    destroyer = std::thread([&, p = std::move(pool)]() mutable {
      p.reset();
      destroyed = true;
    });
  }
  EXPECT_FALSE(destroyed.load());  // still waiting for the running task
  gate->open();
  EXPECT_TRUE(wait_until([&] { return destroyed.load(); }));
  destroyer.join();
  EXPECT_EQ(gate->finished(), 1);
}

}  // namespace
}  // namespace blockhealth
