#include "server/remote_write_ingest.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <unordered_map>

namespace blockhealth::server {
namespace {

struct RwGroupKey {
  std::string_view block;
  std::string_view instance;
  friend bool operator==(const RwGroupKey&, const RwGroupKey&) = default;
};

struct RwGroupKeyHash {
  std::size_t operator()(const RwGroupKey& k) const {
    const std::size_t a = std::hash<std::string_view>()(k.block);
    const std::size_t b = std::hash<std::string_view>()(k.instance);
    return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  }
};

// The series of one instance in this request.
struct RwGroup {
  std::string_view block;
  std::string_view instance;
  InstanceRecordSharedPtr record;  // nullptr: unknown block or instance
  bool block_known = false;
  std::uint32_t series = 0;  // series merged into the record
  std::uint32_t offset = 0;  // first of them in the pool
  std::uint32_t filled = 0;
  std::uint64_t samples = 0;  // samples they carry
};

constexpr std::uint32_t kRwDropped = std::numeric_limits<std::uint32_t>::max();

// Per-thread scratch, reused across requests so that steady-state ingestion
// allocates nothing: the pool's MetricSamples keep their strings' capacity.
// The views in `index` and `groups` point into the request being ingested
// and are cleared before it returns.
struct RwScratch {
  std::unordered_map<RwGroupKey, std::uint32_t, RwGroupKeyHash> index;
  std::vector<RwGroup> groups;
  std::vector<std::uint32_t> group_of;   // per series
  std::vector<std::uint32_t> newest_of;  // per series: its newest sample
  std::vector<MetricSample> pool;
  void clear() {
    index.clear();
    groups.clear();
    group_of.clear();
    newest_of.clear();
  }
};

bool rw_keeps_label(std::string_view name, const RemoteWriteConfig& config) {
  if (name == "__name__" || name == config.block_label || name == config.instance_label) {
    return false;
  }
  for (const std::string& drop : config.drop_labels) {
    if (name == drop) return false;
  }
  return true;
}

}  // namespace

RemoteWriteTally ingest_remote_write(const Engine& engine, const RemoteWriteConfig& config,
                                     const wire::RemoteWriteRequest& request, std::int64_t now_ms) {
  thread_local RwScratch scratch;
  scratch.clear();
  RemoteWriteTally tally;
  const std::size_t n = request.series.size();
  scratch.group_of.assign(n, kRwDropped);
  scratch.newest_of.assign(n, 0);
  ViewRegistryConstSharedPtr views;  // loaded on the first unknown instance

  // 1. Which instance each series goes to.
  for (std::size_t i = 0; i < n; ++i) {
    const wire::RemoteWriteSeries& s = request.series[i];
    if (s.sample_count == 0) continue;
    std::string_view block;
    std::string_view instance;
    bool has_block = false;
    bool has_instance = false;
    for (const wire::RemoteWriteLabel& l : request.labels_of(s)) {
      if (l.name == config.block_label) {
        block = l.value;
        has_block = true;
      } else if (l.name == config.instance_label) {
        instance = l.value;
        has_instance = true;
      }
    }
    if (!has_block || block.empty()) {
      tally.no_block_label += s.sample_count;
      continue;
    }
    if (!has_instance || instance.empty()) {
      tally.no_instance_label += s.sample_count;
      continue;
    }
    const auto samples = request.samples_of(s);
    std::uint32_t newest = 0;
    for (std::uint32_t k = 1; k < samples.size(); ++k) {
      if (samples[k].timestamp_ms >= samples[newest].timestamp_ms) newest = k;
    }
    if (wire::is_stale_marker(samples[newest].value)) {
      tally.stale += s.sample_count;
      continue;
    }
    scratch.newest_of[i] = s.first_sample + newest;
    auto [it, fresh] = scratch.index.try_emplace(RwGroupKey{block, instance},
                                                 static_cast<std::uint32_t>(scratch.groups.size()));
    if (fresh) {
      RwGroup& g = scratch.groups.emplace_back();
      g.block = block;
      g.instance = instance;
      auto record = engine.find_record(std::string(block), std::string(instance));
      if (record) {
        g.record = std::move(*record);
        g.block_known = true;
      } else {
        if (!views) views = engine.views();
        g.block_known = views != nullptr && views->by_id.contains(block);
      }
    }
    RwGroup& g = scratch.groups[it->second];
    if (g.record == nullptr) {
      (g.block_known ? tally.unknown_instance : tally.unknown_block) += s.sample_count;
      continue;
    }
    g.series += 1;
    g.samples += s.sample_count;
    scratch.group_of[i] = it->second;
  }

  // 2. Each instance's series side by side in the pool, as MetricSamples.
  std::uint32_t total = 0;
  for (RwGroup& g : scratch.groups) {
    g.offset = total;
    total += g.series;
  }
  if (scratch.pool.size() < total) scratch.pool.resize(total);
  for (std::size_t i = 0; i < n; ++i) {
    if (scratch.group_of[i] == kRwDropped) continue;
    const wire::RemoteWriteSeries& s = request.series[i];
    RwGroup& g = scratch.groups[scratch.group_of[i]];
    MetricSample& m = scratch.pool[g.offset + g.filled++];
    m.name.assign(s.name);
    const wire::RemoteWriteSample& sample = request.samples[scratch.newest_of[i]];
    m.value = sample.value;
    m.timestamp_ms = sample.timestamp_ms;
    std::size_t kept = 0;
    for (const wire::RemoteWriteLabel& l : request.labels_of(s)) {
      if (!rw_keeps_label(l.name, config)) continue;
      if (kept == m.labels.size()) m.labels.emplace_back();
      Label& out = m.labels[kept++];
      out.name.assign(l.name);
      out.value.assign(l.value);
    }
    m.labels.resize(kept);
  }

  // 3. One merge per instance: all of its series or, refused, none.
  for (const RwGroup& g : scratch.groups) {
    if (g.record == nullptr || g.series == 0) continue;
    auto merged = g.record->merge_samples(
        std::span<const MetricSample>(scratch.pool.data() + g.offset, g.series), now_ms);
    if (!merged) {
      tally.limit += g.samples;
      if (tally.first_limit_error.empty()) tally.first_limit_error = merged.error().message;
      continue;
    }
    tally.accepted += g.samples;
    auto at = std::find_if(tally.accepted_by_block.begin(), tally.accepted_by_block.end(),
                           [&](const auto& p) { return p.first == g.block; });
    if (at == tally.accepted_by_block.end()) {
      tally.accepted_by_block.emplace_back(std::string(g.block), g.samples);
    } else {
      at->second += g.samples;
    }
  }
  scratch.clear();
  return tally;
}

}  // namespace blockhealth::server
