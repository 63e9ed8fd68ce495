// EventLog: a bounded ring of transitions read after a cursor, per block or
// all, that notifies watchers of each append.
#include "core/engine/event_log.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace blockhealth {
namespace {

namespace json = boost::json;

Transition transition(std::uint64_t seq, const std::string& block) {
  Transition t;
  t.seq = seq;
  t.time_ms = 1'800'000'000'000 + static_cast<std::int64_t>(seq);
  t.block_id = block;
  t.instance_id = "node-" + std::to_string(seq);
  t.from = Status::kOk;
  t.to = Status::kUnhealthy;
  t.policy = "test_echo";
  t.reason = "test_status=2";
  return t;
}

std::vector<std::uint64_t> seqs(const EventLog::Page& page) {
  std::vector<std::uint64_t> out;
  for (const Transition& e : page.events) out.push_back(e.seq);
  return out;
}

using Seqs = std::vector<std::uint64_t>;

TEST(EventLog, EventsAfterACursorOldestFirst) {
  ChangeNotifier notifier;
  EventLog log(notifier, 10);
  EXPECT_EQ(log.last_seq(), 0u);
  for (std::uint64_t s = 1; s <= 4; ++s) log.on_transition(transition(s, "a"));
  EXPECT_EQ(log.last_seq(), 4u);

  EventLog::Page page = log.after(1, 100, std::nullopt);
  EXPECT_EQ(seqs(page), (Seqs{2, 3, 4}));
  EXPECT_EQ(page.last_seq, 4u);
  EXPECT_TRUE(page.complete);
  const Transition& first = page.events[0];
  EXPECT_EQ(first.block_id, "a");
  EXPECT_EQ(first.instance_id, "node-2");
  EXPECT_EQ(first.from, Status::kOk);
  EXPECT_EQ(first.to, Status::kUnhealthy);
  EXPECT_EQ(first.reason, "test_status=2");

  // Nothing after the newest: empty, the cursor unchanged.
  page = log.after(4, 100, std::nullopt);
  EXPECT_TRUE(page.events.empty());
  EXPECT_EQ(page.last_seq, 4u);
}

TEST(EventLog, LimitPagesAndTheCursorFollows) {
  ChangeNotifier notifier;
  EventLog log(notifier, 10);
  for (std::uint64_t s = 1; s <= 5; ++s) log.on_transition(transition(s, "a"));
  EventLog::Page page = log.after(0, 2, std::nullopt);
  EXPECT_EQ(seqs(page), (Seqs{1, 2}));
  EXPECT_EQ(page.last_seq, 2u);
  page = log.after(page.last_seq, 2, std::nullopt);
  EXPECT_EQ(seqs(page), (Seqs{3, 4}));
  page = log.after(page.last_seq, 2, std::nullopt);
  EXPECT_EQ(seqs(page), (Seqs{5}));
}

TEST(EventLog, BlockFilterKeepsOneBlocksEventsButMovesTheCursor) {
  ChangeNotifier notifier;
  EventLog log(notifier, 10);
  log.on_transition(transition(1, "a"));
  log.on_transition(transition(2, "b"));
  log.on_transition(transition(3, "a"));
  log.on_transition(transition(4, "b"));
  const EventLog::Page page = log.after(0, 100, std::string("a"));
  EXPECT_EQ(seqs(page), (Seqs{1, 3}));
  EXPECT_EQ(page.last_seq, 4u);  // b's events were looked at
  EXPECT_TRUE(log.after(0, 100, std::string("none")).events.empty());
}

TEST(EventLog, AnOldCursorIsIncompleteOnceEvicted) {
  ChangeNotifier notifier;
  EventLog log(notifier, 3);
  for (std::uint64_t s = 1; s <= 5; ++s) log.on_transition(transition(s, "a"));
  EventLog::Page page = log.after(0, 100, std::nullopt);
  EXPECT_FALSE(page.complete);  // 1 and 2 were evicted
  EXPECT_EQ(seqs(page), (Seqs{3, 4, 5}));
  page = log.after(2, 100, std::nullopt);
  EXPECT_TRUE(page.complete);
  EXPECT_EQ(seqs(page), (Seqs{3, 4, 5}));
  EXPECT_EQ(log.last_seq(), 5u);
}

TEST(EventLog, EachAppendWakesEventWatchers) {
  ChangeNotifier notifier;
  EventLog log(notifier, 10);
  int woken = 0;
  notifier.wait(EventLog::kEventsKey, log.last_seq(), [&] { ++woken; });
  EXPECT_EQ(woken, 0);
  log.on_transition(transition(7, "a"));
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(notifier.index(EventLog::kEventsKey), 7u);
}

}  // namespace
}  // namespace blockhealth
