// BlockBoard: where readers find one block's health. One per block id,
// kept across reloads; the engine's BlockState for the block is attached
// to it while it runs.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_BOARD_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_BOARD_H

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/block_view.h"

namespace blockhealth {

class BlockState;

// Thread-safe.
//
// Readers call view(): the latest BlockView, built from the attached state
// at most once per version (under mutex()) and then shared; when nothing
// changed since, an atomic load. Readers never wait on a plugin call: the
// engine holds mutex() only while it changes what views show (applying
// results, updating instances), never around a call.
//
// The engine (its thread) holds mutex() while it changes the attached
// state, then calls changed(). A detached board (the block left the
// configuration) keeps serving the last view built.
class BlockBoard {
 public:
  // `build` makes a view of a state; it is called under mutex() on a reader's
  // thread.
  using Builder = std::function<BlockViewConstSharedPtr(const BlockState&, std::uint64_t version,
                                                        std::uint64_t state_index)>;

  BlockBoard(std::string id, Builder build) : id_(std::move(id)), build_(std::move(build)) {}

  const std::string& id() const { return id_; }
  BlockViewConstSharedPtr view() const;
  std::uint64_t state_index() const { return state_index_.load(std::memory_order_acquire); }
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

  // Engine side.
  std::mutex& mutex() const { return mu_; }
  // REQUIRES: mutex() held. nullptr detaches (building a last view first).
  void attach(const BlockState* state);
  // REQUIRES: mutex() held. Something shown changed; `significant` when a
  // status, reason, hold, source state, quarantine or the pause changed
  // (what watchers wait for).
  void changed(bool significant);

 private:
  const std::string id_;
  const Builder build_;
  mutable std::mutex mu_;
  const BlockState* state_ = nullptr;  // GUARDED_BY(mu_)
  std::atomic<std::uint64_t> version_{1};
  std::atomic<std::uint64_t> state_index_{1};
  mutable std::atomic<BlockViewConstSharedPtr> cached_;  // built under mu_
};
using BlockBoardSharedPtr = std::shared_ptr<BlockBoard>;

// The boards of the running configuration, in config order. Immutable;
// replaced as a whole on reload.
struct ViewRegistry {
  std::vector<BlockBoardSharedPtr> ordered;
  std::map<std::string, BlockBoardSharedPtr, std::less<>> by_id;

  // nullptr when no such block.
  const BlockBoard* board(std::string_view id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second.get();
  }
  BlockViewConstSharedPtr find(std::string_view id) const {
    const BlockBoard* b = board(id);
    return b == nullptr ? nullptr : b->view();
  }
};
using ViewRegistryConstSharedPtr = std::shared_ptr<const ViewRegistry>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_BOARD_H
