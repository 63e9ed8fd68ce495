// Block news: how the engine learns which blocks got new observations
// without looking at the others. Each block has a sink that its instances'
// records raise; the first raise since the engine last looked queues the
// block once.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_NEWS_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_NEWS_H

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/observations/instance_record.h"

namespace blockhealth {

class BlockState;
class BlockNewsSink;
using BlockNewsSinkSharedPtr = std::shared_ptr<BlockNewsSink>;

// Thread-safe: push() from any thread (records' ingesting threads), drain()
// from the engine thread.
class NewsQueue {
 public:
  // `wake` is called (on the pushing thread, without the queue's lock) when
  // a push finds the queue empty: the engine may be asleep. It must be
  // quick and thread-safe.
  explicit NewsQueue(std::function<void()> wake) : wake_(std::move(wake)) {}

  void push(BlockNewsSinkSharedPtr sink);
  // Moves every queued sink into `out` (appending).
  void drain(std::vector<BlockNewsSinkSharedPtr>& out);
  // Whether anything is queued.
  bool pending();

 private:
  std::function<void()> wake_;
  std::mutex mu_;
  std::vector<BlockNewsSinkSharedPtr> queued_;  // GUARDED_BY(mu_)
};
using NewsQueueSharedPtr = std::shared_ptr<NewsQueue>;

// One block's sink. raise() is lock-free but for the first raise after
// take(), which queues the sink.
class BlockNewsSink final : public NewsSink, public std::enable_shared_from_this<BlockNewsSink> {
 public:
  explicit BlockNewsSink(const NewsQueueSharedPtr& queue) : queue_(queue) {}

  void raise() override;
  // Engine thread: clears the flag, so the next raise queues the sink
  // again. Call before looking at the block's records.
  void take() { raised_.store(false, std::memory_order_seq_cst); }

  // The block this sink belongs to; nullptr once the block stopped (late
  // news is then dropped). Engine thread only.
  BlockState* owner = nullptr;

 private:
  // Weak: the queue holds sinks while they wait, so a strong pointer back
  // would make a cycle of whatever is queued when the engine goes.
  std::weak_ptr<NewsQueue> queue_;
  std::atomic<bool> raised_{false};
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_NEWS_H
