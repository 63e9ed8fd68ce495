#include "core/observations/observation_store.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

class ObservationStoreTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  ObservationStore store_{clock_};
};

TEST_F(ObservationStoreTest, FindsNothingBeforeEnsure) {
  EXPECT_EQ(store_.find({"b", "i"}), nullptr);
  EXPECT_EQ(&store_.clock(), &clock_);
}

TEST_F(ObservationStoreTest, EnsureCreatesOnceAndKeepsTheDataOnLaterCalls) {
  auto record = store_.ensure({"b", "i"}, ObservationLimits{});
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(store_.find({"b", "i"}), record);
  const std::vector<std::string> lines = {"one", "two", "three"};
  record->append_logs(lines, clock_.wall_ms());

  ObservationLimits smaller;
  smaller.max_log_lines = 2;
  auto again = store_.ensure({"b", "i"}, smaller);
  EXPECT_EQ(again, record);
  // The new limits apply to the kept data.
  const auto snap = again->snapshot();
  ASSERT_EQ(snap->logs.size(), 2U);
  EXPECT_EQ(snap->logs[1].text, "three");
}

TEST_F(ObservationStoreTest, KeysAreBlockAndInstance) {
  auto a = store_.ensure({"b1", "i"}, ObservationLimits{});
  auto b = store_.ensure({"b2", "i"}, ObservationLimits{});
  EXPECT_NE(a, b);
  EXPECT_EQ(a->snapshot()->block_id, "b1");
  EXPECT_EQ(b->snapshot()->block_id, "b2");
}

TEST_F(ObservationStoreTest, RemoveForgetsAndIsANoOpWhenAbsent) {
  auto record = store_.ensure({"b", "i"}, ObservationLimits{});
  store_.remove({"b", "i"});
  EXPECT_EQ(store_.find({"b", "i"}), nullptr);
  store_.remove({"b", "i"});
  // A record still held elsewhere stays usable.
  record->touch(5);
  EXPECT_EQ(record->last_seen_cell()->load(), 5);
  // A new ensure starts fresh.
  EXPECT_EQ(store_.ensure({"b", "i"}, ObservationLimits{})->last_seen_cell()->load(), 0);
}

TEST_F(ObservationStoreTest, RetainOnlyKeepsTheListedInstances) {
  store_.ensure({"b", "keep"}, ObservationLimits{});
  store_.ensure({"b", "drop"}, ObservationLimits{});
  store_.ensure({"other", "keep"}, ObservationLimits{});
  store_.retain_only({{"b", "keep"}, {"b", "never-created"}});
  EXPECT_NE(store_.find({"b", "keep"}), nullptr);
  EXPECT_EQ(store_.find({"b", "drop"}), nullptr);
  EXPECT_EQ(store_.find({"other", "keep"}), nullptr);
  EXPECT_EQ(store_.find({"b", "never-created"}), nullptr);
}

}  // namespace
}  // namespace blockhealth
