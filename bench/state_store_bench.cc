// The state store's hot writes on a real file: one transition appended, and
// one delivery added then removed (the outbox round of every action).
// Run: <build>/bin/state_store_bench [--benchmark_repetitions=5]
// The database lives under $TMPDIR (default /tmp): its filesystem sets the pace.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "core/state/state_store.h"

namespace blockhealth {
namespace {

// A scratch folder removed with everything in it at the end of a run.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "blockhealth-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

Transition sample_transition(std::uint64_t seq) {
  Transition t;
  t.seq = seq;
  t.time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(seq);
  t.block_id = "llm-serving";
  t.instance_id = "gpu-node-7";
  t.from = Status::kOk;
  t.to = Status::kUnhealthy;
  t.policy = "gpu_temperature";
  t.reason = "GPU temperature 91.5 C above 85 C for 3 evaluations";
  t.evidence = Evidence{"DCGM_FI_DEV_GPU_TEMP", 91.5, 85};
  return t;
}

// Google Benchmark names its benchmarks BM_*.
void BM_AppendTransition(benchmark::State& state) {  // NOLINT(readability-identifier-naming)
  ScratchDir dir;
  Result<StateStorePtr> store = StateStore::open(dir.path());
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  Transition t = sample_transition(0);
  for (auto _ : state) {
    ++t.seq;
    ++t.time_ms;
    if (!(*store)->append_transition(t)) {
      state.SkipWithError("append_transition failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendTransition)->Unit(benchmark::kMicrosecond);

void BM_AddRemoveDelivery(benchmark::State& state) {  // NOLINT(readability-identifier-naming)
  ScratchDir dir;
  Result<StateStorePtr> store = StateStore::open(dir.path());
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  Delivery d;
  d.block_id = "llm-serving";
  d.instance_id = "gpu-node-7";
  d.action = "webhook#0";
  d.url = "http://127.0.0.1:9000/hooks/blockhealth";
  d.body = std::string(R"({"block":"llm-serving","instance":"gpu-node-7","to":"unhealthy",)") +
           R"("reason":"GPU temperature 91.5 C above 85 C for 3 evaluations"})";
  d.next_attempt_ms = 1'700'000'000'000;
  for (auto _ : state) {
    ++d.transition_seq;
    Result<std::int64_t> id = (*store)->add_delivery(d);
    if (!id || !(*store)->remove_delivery(*id)) {
      state.SkipWithError("add_delivery/remove_delivery failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddRemoveDelivery)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace blockhealth

BENCHMARK_MAIN();
