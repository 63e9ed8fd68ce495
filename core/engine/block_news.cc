#include "core/engine/block_news.h"

namespace blockhealth {

void NewsQueue::push(BlockNewsSinkSharedPtr sink) {
  bool was_empty = false;
  {
    std::lock_guard lock(mu_);
    was_empty = queued_.empty();
    queued_.push_back(std::move(sink));
  }
  if (was_empty && wake_) wake_();
}

void NewsQueue::drain(std::vector<BlockNewsSinkSharedPtr>& out) {
  std::lock_guard lock(mu_);
  if (out.empty()) {
    out.swap(queued_);
  } else {
    out.insert(out.end(), queued_.begin(), queued_.end());
    queued_.clear();
  }
}

bool NewsQueue::pending() {
  std::lock_guard lock(mu_);
  return !queued_.empty();
}

void BlockNewsSink::raise() {
  if (raised_.load(std::memory_order_relaxed)) return;
  if (raised_.exchange(true, std::memory_order_seq_cst)) return;
  if (NewsQueueSharedPtr queue = queue_.lock()) queue->push(shared_from_this());
}

}  // namespace blockhealth
