// HoldRegistry: maintenance windows and silences with expiries, persisted
// before they are made.
#include "core/engine/hold_registry.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

// A HoldStore that records what it is given and can be told to refuse.
class RecordingStore final : public HoldStore {
 public:
  Result<void> put_maintenance(const Maintenance& m) override {
    if (refuse) return fail("disk full");
    maintenance.push_back(m);
    return {};
  }
  Result<bool> delete_maintenance(const std::string&, const std::string&) override {
    if (refuse) return fail("disk full");
    ++deletes;
    return true;
  }
  Result<void> put_silence(const Silence& s) override {
    if (refuse) return fail("disk full");
    silences.push_back(s);
    return {};
  }
  Result<bool> delete_silence(const std::string&) override {
    if (refuse) return fail("disk full");
    ++deletes;
    return true;
  }

  bool refuse = false;
  std::vector<Maintenance> maintenance;
  std::vector<Silence> silences;
  int deletes = 0;
};

class HoldRegistryTest : public ::testing::Test {
 protected:
  std::int64_t now() const { return clock_.wall_ms(); }
  ManualClock clock_;
  RecordingStore store_;
  HoldRegistry holds_{clock_, &store_};
};

TEST_F(HoldRegistryTest, MaintenanceIsActiveUntilItsEnd) {
  auto m = holds_.set_maintenance("b", "i", "kernel", now() + 1000);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->created_ms, now());
  ASSERT_EQ(store_.maintenance.size(), 1u);
  EXPECT_EQ(store_.maintenance[0], *m);
  ASSERT_TRUE(holds_.maintenance("b", "i").has_value());
  EXPECT_EQ(holds_.maintenance("b", "i")->reason, "kernel");
  EXPECT_FALSE(holds_.maintenance("b", "other").has_value());
  EXPECT_FALSE(holds_.maintenance("other", "i").has_value());
  EXPECT_EQ(holds_.maintenances().size(), 1u);

  clock_.advance_ms(999);
  EXPECT_TRUE(holds_.maintenance("b", "i").has_value());
  clock_.advance_ms(1);  // until is exclusive
  EXPECT_FALSE(holds_.maintenance("b", "i").has_value());
  EXPECT_TRUE(holds_.maintenances().empty());
}

TEST_F(HoldRegistryTest, MaintenanceInThePastIsRefused) {
  auto m = holds_.set_maintenance("b", "i", "late", now());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "until: must be in the future");
  EXPECT_TRUE(store_.maintenance.empty());
}

TEST_F(HoldRegistryTest, LiftingSaysWhetherOneWasActive) {
  ASSERT_TRUE(holds_.set_maintenance("b", "i", "x", now() + 1000));
  const std::uint64_t generation = holds_.generation();
  auto lifted = holds_.lift_maintenance("b", "i");
  ASSERT_TRUE(lifted);
  EXPECT_TRUE(*lifted);
  EXPECT_GT(holds_.generation(), generation);
  EXPECT_FALSE(holds_.maintenance("b", "i").has_value());
  lifted = holds_.lift_maintenance("b", "i");
  ASSERT_TRUE(lifted);
  EXPECT_FALSE(*lifted);
}

TEST_F(HoldRegistryTest, SilencesForABlockOrOneInstance) {
  auto block = holds_.add_silence("b", "", "deploy", now() + 1000);
  clock_.advance_ms(1);  // listed by creation time
  auto one = holds_.add_silence("c", "i", "noisy", now() + 2000);
  ASSERT_TRUE(block);
  ASSERT_TRUE(one);
  EXPECT_NE(block->id, one->id);
  EXPECT_EQ(block->id.rfind("s-", 0), 0u) << block->id;
  EXPECT_EQ(store_.silences.size(), 2u);

  ASSERT_TRUE(holds_.silence_for("b", "any").has_value());
  EXPECT_EQ(holds_.silence_for("b", "any")->id, block->id);
  ASSERT_TRUE(holds_.silence_for("c", "i").has_value());
  EXPECT_EQ(holds_.silence_for("c", "i")->id, one->id);
  EXPECT_FALSE(holds_.silence_for("c", "j").has_value());
  ASSERT_EQ(holds_.silences().size(), 2u);
  EXPECT_EQ(holds_.silences()[0].id, block->id);  // by creation

  clock_.advance_ms(999);  // the block's ends
  EXPECT_FALSE(holds_.silence_for("b", "any").has_value());
  ASSERT_EQ(holds_.silences().size(), 1u);

  auto lifted = holds_.lift_silence(one->id);
  ASSERT_TRUE(lifted);
  EXPECT_TRUE(*lifted);
  EXPECT_FALSE(holds_.silence_for("c", "i").has_value());
  lifted = holds_.lift_silence(one->id);
  ASSERT_TRUE(lifted);
  EXPECT_FALSE(*lifted);
  lifted = holds_.lift_silence("s-nope");
  ASSERT_TRUE(lifted);
  EXPECT_FALSE(*lifted);
}

TEST_F(HoldRegistryTest, AStoreThatRefusesChangesNothing) {
  ASSERT_TRUE(holds_.set_maintenance("b", "i", "x", now() + 1000));
  auto s = holds_.add_silence("b", "", "x", now() + 1000);
  ASSERT_TRUE(s);
  store_.refuse = true;

  auto m = holds_.set_maintenance("b", "j", "y", now() + 1000);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "cannot record the maintenance: disk full");
  EXPECT_FALSE(holds_.maintenance("b", "j").has_value());

  auto silence = holds_.add_silence("c", "", "y", now() + 1000);
  ASSERT_FALSE(silence);
  EXPECT_EQ(silence.error().message, "cannot record the silence: disk full");
  EXPECT_EQ(holds_.silences().size(), 1u);

  auto lift_m = holds_.lift_maintenance("b", "i");
  ASSERT_FALSE(lift_m);
  EXPECT_EQ(lift_m.error().message, "cannot lift the maintenance: disk full");
  EXPECT_TRUE(holds_.maintenance("b", "i").has_value());

  auto lift_s = holds_.lift_silence(s->id);
  ASSERT_FALSE(lift_s);
  EXPECT_EQ(lift_s.error().message, "cannot lift the silence: disk full");
  EXPECT_TRUE(holds_.silence_for("b", "i").has_value());
}

TEST_F(HoldRegistryTest, RestoreDropsExpiredHolds) {
  const std::int64_t t = now();
  holds_.restore({{"b", "live", "r", t + 10, t - 5}, {"b", "gone", "r", t, t - 5}},
                 {{"s-1", "b", "", "r", t + 10, t - 5}, {"s-2", "b", "i", "r", t - 1, t - 5}});
  EXPECT_TRUE(holds_.maintenance("b", "live").has_value());
  EXPECT_FALSE(holds_.maintenance("b", "gone").has_value());
  ASSERT_EQ(holds_.silences().size(), 1u);
  EXPECT_EQ(holds_.silences()[0].id, "s-1");
  // Nothing restored is written back.
  EXPECT_TRUE(store_.maintenance.empty());
  EXPECT_TRUE(store_.silences.empty());
}

TEST(HoldRegistryMemoryOnly, WorksWithoutAStoreAndPrunes) {
  ManualClock clock;
  HoldRegistry holds(clock, nullptr);
  ASSERT_TRUE(holds.set_maintenance("b", "i", "x", clock.wall_ms() + 10));
  ASSERT_TRUE(holds.add_silence("b", "", "x", clock.wall_ms() + 10));
  clock.advance_ms(10);
  holds.prune();
  // Pruned: lifting finds nothing at all.
  auto lifted = holds.lift_maintenance("b", "i");
  ASSERT_TRUE(lifted);
  EXPECT_FALSE(*lifted);
  EXPECT_TRUE(holds.silences().empty());
}

}  // namespace
TEST(HoldRegistryMemoryOnly, SilencesAreCappedWithAClearRefusal) {
  ManualClock clock;
  HoldRegistry holds(clock, nullptr, 3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(holds.add_silence("b", "", "x", clock.wall_ms() + 10));
  auto fourth = holds.add_silence("b", "", "x", clock.wall_ms() + 10);
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().code, ErrorCode::kConflict);
  EXPECT_EQ(fourth.error().message,
            "too many silences: 3 are active, the most there may be; lift some (DELETE "
            "/v1/silences/<id>) or wait for them to end");
  EXPECT_EQ(holds.silences().size(), 3U);
  // One lifted: room again.
  ASSERT_TRUE(holds.lift_silence(holds.silences()[0].id));
  EXPECT_TRUE(holds.add_silence("b", "", "x", clock.wall_ms() + 10));
}

}  // namespace blockhealth
