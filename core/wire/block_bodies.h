// The HTTP bodies of one block's view: the AIOS-compatible answer of
// GET /block/health/<id>, and /v1's detail (GET /v1/blocks/<id>), summary
// (its entry in GET /v1/blocks) and history. Each is serialized once per
// view, by the first request that needs it, and kept in the view's memo.
#ifndef BLOCKHEALTH_CORE_WIRE_BLOCK_BODIES_H
#define BLOCKHEALTH_CORE_WIRE_BLOCK_BODIES_H

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/engine/block_view.h"

namespace blockhealth::wire {

// The AIOS body, kept as fragments around each instance's live
// "lastMetrics" value so a request writes fresh ages without serializing
// anything else. Immutable; thread-safe.
class AiosBody {
 public:
  // REQUIRES: fragments.size() == cells.size() + 1. `cells` are the
  // instances' last-reported times.
  AiosBody(std::vector<std::string> fragments, std::vector<LastSeenCellConstSharedPtr> cells,
           AiosShape::LastMetrics last_metrics);

  // Appends the body with every "lastMetrics" computed against `now_ms`:
  // the seconds since the instance last reported, in Python's float repr,
  // as "12.5s ago" or the number 12.5 (AiosShape::LastMetrics). An instance
  // whose cell still reads 0 (never reported) gets no "lastMetrics"; one
  // that reported after the view was built gets it.
  void render(std::string& out, std::int64_t now_ms) const;
  std::size_t size_hint() const { return size_hint_; }

 private:
  std::vector<std::string> fragments_;
  std::vector<LastSeenCellConstSharedPtr> cells_;
  AiosShape::LastMetrics last_metrics_;
  std::size_t size_hint_ = 0;
};

// A view's bodies, each made on first use. Lives in the view's memo and
// reads the view, which outlives it. Thread-safe.
class BlockBodies {
 public:
  explicit BlockBodies(const BlockView& view) : view_(view) {}
  BlockBodies(const BlockBodies&) = delete;
  BlockBodies& operator=(const BlockBodies&) = delete;

  const AiosBody& aios() const;
  const std::string& detail() const;   // GET /v1/blocks/<id>
  const std::string& summary() const;  // this block in GET /v1/blocks

 private:
  const BlockView& view_;
  mutable std::once_flag aios_once_, detail_once_, summary_once_;
  mutable std::unique_ptr<AiosBody> aios_;
  mutable std::string detail_;
  mutable std::string summary_;
};

// The bodies of `view` (made once, shared by every reader of the view).
const BlockBodies& bodies_of(const BlockView& view);

// The block's transitions as JSON objects, newest first (made once per
// history, shared by the views that share it).
const std::vector<std::string>& history_items(const TransitionHistory& history);

// {"block_id":...,"transitions":[...]} with at most `limit` items.
std::string history_body(const BlockView& view, std::size_t limit);

// The answer to PUT /v1/blocks/<id>:
// {"success":true,"block_id":...,"created":true|false,"source":"api"}.
std::string block_written_body(const std::string& id, bool created);

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_BLOCK_BODIES_H
