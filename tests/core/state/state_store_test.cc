#include "core/state/state_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "tests/core/state/open_test_store.h"
#include "tests/core/state/state_test_records.h"
#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

using test::make_delivery;
using test::make_transition;
using test::open_store;
using test::TempDir;

// Every field, in words: a mismatch shows which one differs (NaN included).
std::string describe(const Transition& t) {
  std::ostringstream out;
  out << t.seq << '|' << t.time_ms << '|' << t.block_id << '|' << t.instance_id << '|'
      << to_string(t.from) << "->" << to_string(t.to) << '|' << t.policy << '|' << t.reason;
  if (t.evidence) {
    out << "|evidence " << t.evidence->metric << ' ' << t.evidence->observed << ' '
        << t.evidence->limit;
  } else {
    out << "|no evidence";
  }
  return out.str();
}

std::vector<std::uint64_t> seqs(const std::vector<Transition>& ts) {
  std::vector<std::uint64_t> out;
  out.reserve(ts.size());
  for (const Transition& t : ts) out.push_back(t.seq);
  return out;
}

TEST(StateStoreTest, TransitionsRoundTripEveryField) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);

  std::vector<Transition> written;
  written.push_back(make_transition(1));
  Transition no_evidence = make_transition(2, "llm", "gpu-1");
  no_evidence.evidence.reset();
  no_evidence.from = Status::kUnknown;
  no_evidence.to = Status::kDegraded;
  written.push_back(no_evidence);
  Transition unicode = make_transition(3, "块-ü", "實例 🔥");
  unicode.reason = std::string("温度过高 — naïve ✓ ") + '\0' + " after NUL";
  unicode.policy = "staleness";
  unicode.from = Status::kUnhealthy;
  unicode.to = Status::kOk;
  unicode.evidence = Evidence{"métrique", std::numeric_limits<double>::infinity(), -273.15};
  written.push_back(unicode);
  Transition edges = make_transition(4);
  edges.time_ms = std::numeric_limits<std::int64_t>::min();
  edges.reason.clear();
  edges.policy.clear();
  edges.evidence = Evidence{"", std::nan(""), std::numeric_limits<double>::lowest()};
  written.push_back(edges);
  Transition biggest = make_transition(std::numeric_limits<std::int64_t>::max());
  written.push_back(biggest);

  for (const Transition& t : written) ASSERT_TRUE(store->append_transition(t)) << describe(t);

  Result<std::vector<Transition>> read = store->transitions_after(0, 100);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ(describe((*read)[i]), describe(written[i]));
  }
  EXPECT_EQ((*read)[2].reason.size(), unicode.reason.size());  // the NUL and what follows
  EXPECT_TRUE(std::isnan((*read)[3].evidence->observed));
}

TEST(StateStoreTest, DuplicateSeqIsAConflictNamingTheOperationAndPath) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->append_transition(make_transition(7)));
  Result<void> again = store->append_transition(make_transition(7));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().message.rfind("append_transition: " + store->path() + ": ", 0), 0U)
      << again.error().message;
  EXPECT_NE(again.error().message.find("UNIQUE constraint failed"), std::string::npos);
}

TEST(StateStoreTest, SeqBeyondInt64IsRefused) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  Transition t = make_transition(std::uint64_t{1} << 63U);
  Result<void> r = store->append_transition(t);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("seq 9223372036854775808 is out of range"), std::string::npos)
      << r.error().message;
  Delivery d = make_delivery(std::numeric_limits<std::uint64_t>::max());
  Result<std::int64_t> id = store->add_delivery(d);
  ASSERT_FALSE(id);
  EXPECT_NE(id.error().message.find("add_delivery: "), std::string::npos) << id.error().message;
}

TEST(StateStoreTest, RecentTransitionsKeepTheNewestOfEachInstanceInSeqOrder) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  // Interleaved: a = llm/gpu-0, b = llm/gpu-1, c = embed/gpu-0 (same instance id, other block).
  const std::vector<std::pair<std::string, std::string>> who = {
      {"llm", "gpu-0"}, {"llm", "gpu-1"},   {"embed", "gpu-0"}, {"llm", "gpu-0"},
      {"llm", "gpu-0"}, {"embed", "gpu-0"}, {"llm", "gpu-1"},   {"llm", "gpu-0"}};
  for (std::size_t i = 0; i < who.size(); ++i) {
    ASSERT_TRUE(store->append_transition(make_transition(i + 1, who[i].first, who[i].second)));
  }
  Result<std::vector<Transition>> two = store->recent_transitions(2);
  ASSERT_TRUE(two) << two.error().message;
  // llm/gpu-0 has 1,4,5,8 → 5,8; llm/gpu-1 has 2,7; embed/gpu-0 has 3,6.
  EXPECT_EQ(seqs(*two), (std::vector<std::uint64_t>{2, 3, 5, 6, 7, 8}));

  Result<std::vector<Transition>> one = store->recent_transitions(1);
  ASSERT_TRUE(one);
  EXPECT_EQ(seqs(*one), (std::vector<std::uint64_t>{6, 7, 8}));
  EXPECT_EQ((*one)[0].block_id, "embed");

  Result<std::vector<Transition>> none = store->recent_transitions(0);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  Result<std::vector<Transition>> all =
      store->recent_transitions(std::numeric_limits<std::size_t>::max());
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), who.size());
}

TEST(StateStoreTest, TransitionsAfterOrdersLimitsAndFiltersByBlock) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  for (std::uint64_t seq = 1; seq <= 10; ++seq) {
    ASSERT_TRUE(store->append_transition(make_transition(seq, seq % 2 == 0 ? "even" : "odd")));
  }
  Result<std::vector<Transition>> first = store->transitions_after(0, 3);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(seqs(*first), (std::vector<std::uint64_t>{1, 2, 3}));

  Result<std::vector<Transition>> rest = store->transitions_after(7, 100);
  ASSERT_TRUE(rest);
  EXPECT_EQ(seqs(*rest), (std::vector<std::uint64_t>{8, 9, 10}));

  Result<std::vector<Transition>> even = store->transitions_after(3, 2, "even");
  ASSERT_TRUE(even);
  EXPECT_EQ(seqs(*even), (std::vector<std::uint64_t>{4, 6}));

  Result<std::vector<Transition>> unknown_block = store->transitions_after(0, 100, "nope");
  ASSERT_TRUE(unknown_block);
  EXPECT_TRUE(unknown_block->empty());

  for (std::uint64_t after :
       {std::uint64_t{10}, std::uint64_t{1} << 63U, std::numeric_limits<std::uint64_t>::max()}) {
    Result<std::vector<Transition>> past = store->transitions_after(after, 100);
    ASSERT_TRUE(past);
    EXPECT_TRUE(past->empty()) << after;
  }
  Result<std::vector<Transition>> zero = store->transitions_after(0, 0);
  ASSERT_TRUE(zero);
  EXPECT_TRUE(zero->empty());
}

TEST(StateStoreTest, PruneByRetentionKeepsTheCursorHighWaterMark) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  Result<std::uint64_t> empty_max = store->max_transition_seq();
  ASSERT_TRUE(empty_max);
  EXPECT_EQ(*empty_max, 0U);

  for (std::uint64_t seq = 1; seq <= 6; ++seq) {
    ASSERT_TRUE(store->append_transition(
        make_transition(seq, "llm", "gpu-0", static_cast<std::int64_t>(seq) * 1000)));
  }
  Result<std::size_t> pruned = store->prune_transitions(3000);  // strictly older: 1, 2
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 2U);
  Result<std::vector<Transition>> left = store->transitions_after(0, 100);
  ASSERT_TRUE(left);
  EXPECT_EQ(seqs(*left), (std::vector<std::uint64_t>{3, 4, 5, 6}));

  Result<std::size_t> nothing = store->prune_transitions(3000);
  ASSERT_TRUE(nothing);
  EXPECT_EQ(*nothing, 0U);

  Result<std::size_t> everything = store->prune_transitions(1'000'000);
  ASSERT_TRUE(everything);
  EXPECT_EQ(*everything, 4U);
  Result<std::uint64_t> max = store->max_transition_seq();
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, 6U);  // a cursor never goes backwards
  ASSERT_TRUE(store->append_transition(make_transition(7)));
  max = store->max_transition_seq();
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, 7U);
}

TEST(StateStoreTest, MaintenanceIsOnePerInstanceReplacedAndDeleted) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  const Maintenance first{"llm", "gpu-1", "driver upgrade", 5000, 100};
  const Maintenance other{"llm", "gpu-0", "reboot ✓", 6000, 200};
  const Maintenance replaced{"llm", "gpu-1", "driver upgrade, take 2", 9000, 300};
  ASSERT_TRUE(store->put_maintenance(first));
  ASSERT_TRUE(store->put_maintenance(other));
  ASSERT_TRUE(store->put_maintenance(replaced));

  Result<std::vector<Maintenance>> loaded = store->load_maintenance();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, (std::vector<Maintenance>{other, replaced}));

  Result<bool> deleted = store->delete_maintenance("llm", "gpu-1");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  Result<bool> again = store->delete_maintenance("llm", "gpu-1");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  loaded = store->load_maintenance();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, (std::vector<Maintenance>{other}));
}

TEST(StateStoreTest, ApiBlocksAreOnePerIdReplacedAndDeleted) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  const ApiBlockRecord first{"llm", R"({"id":"llm","instances":[]})", 100};
  const ApiBlockRecord other{"embed", R"({"id":"embed","policies":[{"use":"x"}]})", 200};
  const ApiBlockRecord replaced{"llm", R"({"id":"llm","interval":"1s","note":"✓"})", 300};
  ASSERT_TRUE(store->put_api_block(first));
  ASSERT_TRUE(store->put_api_block(other));
  ASSERT_TRUE(store->put_api_block(replaced));

  Result<std::vector<ApiBlockRecord>> loaded = store->load_api_blocks();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, (std::vector<ApiBlockRecord>{other, replaced}));

  Result<bool> deleted = store->delete_api_block("llm");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  Result<bool> again = store->delete_api_block("llm");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  store.reset();
  store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  loaded = store->load_api_blocks();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, (std::vector<ApiBlockRecord>{other}));
}

TEST(StateStoreTest, SilencesRoundTripReplaceAndDelete) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  const Silence block_wide{"s-2", "llm", "", "noisy deploy — 静か", 9000, 200};
  const Silence one{"s-1", "llm", "gpu-3", "known bad fan", 8000, 200};
  const Silence older{"s-9", "embed", "x", "first", 7000, 100};
  for (const Silence& s : {block_wide, one, older}) ASSERT_TRUE(store->put_silence(s));
  Result<std::vector<Silence>> loaded = store->load_silences();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, (std::vector<Silence>{older, one, block_wide}));  // created_ms, then id

  Silence extended = one;
  extended.until_ms = 20000;
  ASSERT_TRUE(store->put_silence(extended));
  Result<bool> deleted = store->delete_silence("s-9");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  Result<bool> missing = store->delete_silence("s-404");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  loaded = store->load_silences();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, (std::vector<Silence>{extended, block_wide}));
}

TEST(StateStoreTest, PruneExpiredRemovesWhatEndedAtOrBeforeNow) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->put_maintenance({"b", "ended", "", 999, 1}));
  ASSERT_TRUE(store->put_maintenance({"b", "ends-now", "", 1000, 1}));
  ASSERT_TRUE(store->put_maintenance({"b", "later", "", 1001, 1}));
  ASSERT_TRUE(store->put_silence({"s-a", "b", "", "", 1000, 1}));
  ASSERT_TRUE(store->put_silence({"s-b", "b", "i", "", 5000, 1}));

  Result<std::size_t> pruned = store->prune_expired(1000);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 3U);
  Result<std::vector<Maintenance>> maintenance = store->load_maintenance();
  ASSERT_TRUE(maintenance);
  ASSERT_EQ(maintenance->size(), 1U);
  EXPECT_EQ((*maintenance)[0].instance_id, "later");
  Result<std::vector<Silence>> silences = store->load_silences();
  ASSERT_TRUE(silences);
  ASSERT_EQ(silences->size(), 1U);
  EXPECT_EQ((*silences)[0].id, "s-b");
}

TEST(StateStoreTest, DeliveryLifecycle) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  Delivery late = make_delivery(1, 3000);
  late.id = 12345;  // ignored: the store assigns ids
  Delivery early = make_delivery(2, 1000);
  early.body = R"({"reason":"温度 🔥","nested":{"a":[1,2]}})";
  Delivery tie = make_delivery(3, 1000);
  Result<std::int64_t> late_id = store->add_delivery(late);
  Result<std::int64_t> early_id = store->add_delivery(early);
  Result<std::int64_t> tie_id = store->add_delivery(tie);
  ASSERT_TRUE(late_id && early_id && tie_id);
  EXPECT_GT(*late_id, 0);
  EXPECT_LT(*late_id, *early_id);
  EXPECT_LT(*early_id, *tie_id);

  Result<std::vector<Delivery>> pending = store->pending_deliveries();
  ASSERT_TRUE(pending) << pending.error().message;
  late.id = *late_id;
  early.id = *early_id;
  tie.id = *tie_id;
  EXPECT_EQ(*pending, (std::vector<Delivery>{early, tie, late}));

  ASSERT_TRUE(store->update_delivery(*early_id, 1, 5000, "connect: connection refused ✗"));
  early.attempts = 1;
  early.next_attempt_ms = 5000;
  early.last_error = "connect: connection refused ✗";
  pending = store->pending_deliveries();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, (std::vector<Delivery>{tie, late, early}));

  Result<void> unknown = store->update_delivery(999'999, 1, 1, "x");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_NE(
      unknown.error().message.find("update_delivery: " + store->path() + ": no delivery 999999"),
      std::string::npos)
      << unknown.error().message;

  ASSERT_TRUE(store->remove_delivery(*tie_id));
  ASSERT_TRUE(store->remove_delivery(*tie_id));  // already gone: fine
  pending = store->pending_deliveries();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, (std::vector<Delivery>{late, early}));

  // Ids are never reused, even the highest one after its removal.
  ASSERT_TRUE(store->remove_delivery(*late_id));
  ASSERT_TRUE(store->remove_delivery(*early_id));
  Result<std::int64_t> next = store->add_delivery(make_delivery(4));
  ASSERT_TRUE(next);
  EXPECT_GT(*next, *tie_id);
}

TEST(StateStoreTest, ReopeningTheFolderFindsEverything) {
  TempDir dir;
  const std::filesystem::path state_dir = dir.path() / "var" / "lib" / "blockhealth";
  std::vector<Transition> transitions;
  Maintenance maintenance{"llm", "gpu-0", "swap", 10'000, 5};
  Silence silence{"s-1", "llm", "", "quiet", 20'000, 6};
  Delivery delivery = make_delivery(3);
  {
    StateStorePtr store = open_store(state_dir);
    ASSERT_NE(store, nullptr);
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
      transitions.push_back(make_transition(seq, "llm", "gpu-" + std::to_string(seq)));
      ASSERT_TRUE(store->append_transition(transitions.back()));
    }
    ASSERT_TRUE(store->put_maintenance(maintenance));
    ASSERT_TRUE(store->put_silence(silence));
    Result<std::int64_t> id = store->add_delivery(delivery);
    ASSERT_TRUE(id);
    delivery.id = *id;
    ASSERT_TRUE(store->update_delivery(*id, 2, 777, "HTTP 503"));
    delivery.attempts = 2;
    delivery.next_attempt_ms = 777;
    delivery.last_error = "HTTP 503";
  }
  struct stat st {};
  ASSERT_EQ(::stat(state_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777U, 0750U);

  StateStorePtr store = open_store(state_dir);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->path(), (state_dir / "blockhealth.db").string());
  Result<std::vector<Transition>> read = store->recent_transitions(10);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->size(), transitions.size());
  for (std::size_t i = 0; i < transitions.size(); ++i) {
    EXPECT_EQ(describe((*read)[i]), describe(transitions[i]));
  }
  Result<std::uint64_t> max = store->max_transition_seq();
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, 3U);
  Result<std::vector<Maintenance>> m = store->load_maintenance();
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, std::vector<Maintenance>{maintenance});
  Result<std::vector<Silence>> s = store->load_silences();
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, std::vector<Silence>{silence});
  Result<std::vector<Delivery>> d = store->pending_deliveries();
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, std::vector<Delivery>{delivery});
}

TEST(StateStoreTest, CheckpointEmptiesTheWal) {
  TempDir dir;
  StateStorePtr store = open_store(dir.path());
  ASSERT_NE(store, nullptr);
  for (std::uint64_t seq = 1; seq <= 20; ++seq) {
    ASSERT_TRUE(store->append_transition(make_transition(seq)));
  }
  const std::filesystem::path wal = store->path() + "-wal";
  ASSERT_TRUE(std::filesystem::exists(wal));
  EXPECT_GT(std::filesystem::file_size(wal), 0U);
  Result<void> r = store->checkpoint();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::filesystem::file_size(wal), 0U);
  Result<std::vector<Transition>> read = store->transitions_after(0, 100);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->size(), 20U);
}

}  // namespace
}  // namespace blockhealth
