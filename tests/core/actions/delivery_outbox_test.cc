#include "core/actions/delivery_outbox.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

TEST(MemoryOutbox, AddGivesIncreasingIdsAndPendingListsById) {
  MemoryOutbox outbox;
  Delivery d;
  d.id = 99;  // ignored
  d.block_id = "b";
  d.body = "{}";
  auto first = outbox.add(d);
  auto second = outbox.add(d);
  ASSERT_TRUE(first && second);
  EXPECT_GT(*first, 0);
  EXPECT_GT(*second, *first);
  auto pending = outbox.pending();
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 2U);
  EXPECT_EQ((*pending)[0].id, *first);
  EXPECT_EQ((*pending)[1].id, *second);
  EXPECT_EQ((*pending)[1].body, "{}");
}

TEST(MemoryOutbox, UpdateRecordsTheAttemptOnly) {
  MemoryOutbox outbox;
  Delivery d;
  d.body = "original";
  d.id = *outbox.add(d);
  d.attempts = 3;
  d.next_attempt_ms = 1234;
  d.last_error = "connect: Connection refused";
  d.body = "changed";
  ASSERT_TRUE(outbox.update(d).has_value());
  const Delivery stored = outbox.pending()->at(0);
  EXPECT_EQ(stored.attempts, 3);
  EXPECT_EQ(stored.next_attempt_ms, 1234);
  EXPECT_EQ(stored.last_error, "connect: Connection refused");
  EXPECT_EQ(stored.body, "original");
}

TEST(MemoryOutbox, UpdateOfAnUnknownIdIsAnError) {
  MemoryOutbox outbox;
  Delivery d;
  d.id = 7;
  auto r = outbox.update(d);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "delivery 7 is not in the outbox");
}

TEST(MemoryOutbox, RemoveForgetsAndToleratesUnknownIds) {
  MemoryOutbox outbox;
  const std::int64_t id = *outbox.add(Delivery{});
  EXPECT_TRUE(outbox.remove(id).has_value());
  EXPECT_TRUE(outbox.remove(id).has_value());
  EXPECT_EQ(outbox.size(), 0U);
}

}  // namespace
}  // namespace blockhealth
