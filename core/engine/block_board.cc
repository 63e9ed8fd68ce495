#include "core/engine/block_board.h"

namespace blockhealth {

BlockViewConstSharedPtr BlockBoard::view() const {
  BlockViewConstSharedPtr v = cached_.load(std::memory_order_acquire);
  if (v && v->version == version()) return v;
  std::lock_guard lock(mu_);
  v = cached_.load(std::memory_order_acquire);
  const std::uint64_t now = version();
  if ((v && v->version == now) || state_ == nullptr) return v;
  v = build_(*state_, now, state_index());
  cached_.store(v, std::memory_order_release);
  return v;
}

void BlockBoard::attach(const BlockState* state) {
  if (state == nullptr && state_ != nullptr) {
    // Keep serving what the block last showed.
    BlockViewConstSharedPtr v = cached_.load();
    if (!v || v->version != version()) cached_.store(build_(*state_, version(), state_index()));
  }
  state_ = state;
  version_.fetch_add(1, std::memory_order_acq_rel);
}

void BlockBoard::changed(bool significant) {
  version_.fetch_add(1, std::memory_order_acq_rel);
  if (significant) state_index_.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace blockhealth
