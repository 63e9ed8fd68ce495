#include "core/actions/delivery_queue.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

Delivery delivery(std::int64_t id, const std::string& instance, const std::string& action,
                  std::int64_t next_ms = 0) {
  Delivery d;
  d.id = id;
  d.block_id = "b";
  d.instance_id = instance;
  d.action = action;
  d.next_attempt_ms = next_ms;
  d.body = "#" + std::to_string(id);
  return d;
}

std::vector<std::int64_t> ids(DeliveryQueue& q, const std::vector<DeliveryQueue::Key>& keys) {
  std::vector<std::int64_t> out;
  out.reserve(keys.size());
  for (const auto k : keys) out.push_back(q.find(k)->delivery.id);
  return out;
}

TEST(DeliveryQueue, OnlyEachLanesHeadIsReady) {
  DeliveryQueue q;
  q.push_back(delivery(1, "a", "webhook#0"), true);
  q.push_back(delivery(2, "a", "webhook#0"), true);
  q.push_back(delivery(3, "a", "webhook#1"), true);
  q.push_back(delivery(4, "c", "webhook#0"), true);
  EXPECT_EQ(q.size(), 4U);
  EXPECT_EQ(ids(q, q.ready(0, 10)), (std::vector<std::int64_t>{1, 3, 4}));
}

TEST(DeliveryQueue, AHeadInFlightHoldsItsLane) {
  DeliveryQueue q;
  const auto k1 = q.push_back(delivery(1, "a", "w"), true);
  const auto k2 = q.push_back(delivery(2, "a", "w"), true);
  q.set_in_flight(k1, true);
  EXPECT_EQ(q.in_flight(), 1U);
  EXPECT_TRUE(q.ready(0, 10).empty());
  EXPECT_FALSE(q.next_due().has_value());
  q.erase(k1);
  EXPECT_EQ(q.in_flight(), 0U);
  EXPECT_EQ(q.ready(0, 10), std::vector<DeliveryQueue::Key>{k2});
}

TEST(DeliveryQueue, AHeadWaitingForItsRetryHoldsItsLaneToo) {
  DeliveryQueue q;
  q.push_back(delivery(1, "a", "w", 500), true);
  q.push_back(delivery(2, "a", "w", 0), true);
  EXPECT_TRUE(q.ready(499, 10).empty());
  EXPECT_EQ(q.next_due(), 500);
  EXPECT_EQ(ids(q, q.ready(500, 10)), std::vector<std::int64_t>{1});
}

TEST(DeliveryQueue, ReadyIsMostOverdueFirstAndLimited) {
  DeliveryQueue q;
  q.push_back(delivery(1, "a", "w", 30), true);
  q.push_back(delivery(2, "b", "w", 10), true);
  q.push_back(delivery(3, "c", "w", 20), true);
  EXPECT_EQ(ids(q, q.ready(100, 2)), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(q.next_due(), 10);
}

TEST(DeliveryQueue, LoadedDeliveriesGoFirstInTheirOrderWithoutDuplicates) {
  DeliveryQueue q;
  q.push_back(delivery(5, "a", "w"), true);  // added before start() loaded the outbox
  const std::size_t added =
      q.push_front_loaded({delivery(2, "a", "w"), delivery(3, "a", "w"), delivery(5, "a", "w")});
  EXPECT_EQ(added, 2U);
  EXPECT_EQ(q.size(), 3U);
  std::vector<std::int64_t> order;
  while (q.size() > 0) {
    const auto ready = q.ready(0, 10);
    ASSERT_EQ(ready.size(), 1U);
    order.push_back(q.find(ready[0])->delivery.id);
    q.erase(ready[0]);
  }
  EXPECT_EQ(order, (std::vector<std::int64_t>{2, 3, 5}));
}

TEST(DeliveryQueue, MemoryOnlyEntriesAreNotTakenForLoadedOnes) {
  DeliveryQueue q;
  q.push_back(delivery(0, "a", "w"), false);
  EXPECT_EQ(q.push_front_loaded({delivery(1, "a", "w")}), 1U);
  EXPECT_EQ(q.size(), 2U);
}

TEST(DeliveryQueue, EraseOfAnUnknownKeyIsHarmless) {
  DeliveryQueue q;
  q.erase(42);
  q.set_in_flight(42, true);
  EXPECT_EQ(q.find(42), nullptr);
  EXPECT_EQ(q.in_flight(), 0U);
}

}  // namespace
}  // namespace blockhealth
