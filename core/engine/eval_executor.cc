#include "core/engine/eval_executor.h"

#include <pthread.h>

#include <thread>
#include <utility>
#include <vector>

namespace blockhealth {

struct EvalExecutor::Ticket::State {
  std::weak_ptr<EvalExecutor::Shared> pool;
  bool abandoned = false;  // GUARDED_BY(pool->mu)
  bool finished = false;   // GUARDED_BY(pool->mu)
};

struct EvalExecutor::Shared : std::enable_shared_from_this<EvalExecutor::Shared> {
  struct Job {
    std::function<void()> task;
    std::shared_ptr<Ticket::State> ticket;
  };

  std::mutex mu;
  std::condition_variable work_cv;
  std::condition_variable idle_cv;
  std::deque<Job> queue;  // GUARDED_BY(mu)
  std::size_t target = 0;
  std::size_t max_queue = 0;
  std::size_t max_abandoned = 0;
  std::size_t live = 0;               // GUARDED_BY(mu)
  std::size_t abandoned_running = 0;  // GUARDED_BY(mu)
  bool stopping = false;              // GUARDED_BY(mu)

  // REQUIRES: mu held.
  void spawn_locked() {
    ++live;
    std::thread([self = shared_from_this()] {
      pthread_setname_np(pthread_self(), "bh-eval");  // shown by top -H, ps -L
      self->work();
    }).detach();
  }

  void work() {
    std::unique_lock lock(mu);
    while (true) {
      work_cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping) break;
      Job job = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      job.task();
      job.task = nullptr;  // release captured state outside the lock
      lock.lock();
      job.ticket->finished = true;
      if (job.ticket->abandoned) --abandoned_running;
      if (live > target + abandoned_running) break;  // a replacement took our place
    }
    --live;
    idle_cv.notify_all();
  }
};

void EvalExecutor::Ticket::abandon() {
  if (!state_) return;
  auto pool = state_->pool.lock();
  if (!pool) return;
  std::lock_guard lock(pool->mu);
  if (state_->abandoned || state_->finished || pool->stopping) return;
  state_->abandoned = true;
  ++pool->abandoned_running;
  if (pool->abandoned_running <= pool->max_abandoned &&
      pool->live < pool->target + pool->abandoned_running) {
    pool->spawn_locked();
  }
}

EvalExecutor::EvalExecutor(std::size_t workers, std::size_t max_queue, std::size_t max_abandoned,
                           std::chrono::milliseconds shutdown_grace)
    : shared_(std::make_shared<Shared>()) {
  std::lock_guard lock(shared_->mu);
  shared_->target = workers == 0 ? 1 : workers;
  shared_->max_queue = max_queue;
  shared_->max_abandoned = max_abandoned;
  grace_ = shutdown_grace;
  for (std::size_t i = 0; i < shared_->target; ++i) shared_->spawn_locked();
}

EvalExecutor::~EvalExecutor() {
  std::deque<Shared::Job> dropped;
  std::unique_lock lock(shared_->mu);
  shared_->stopping = true;
  dropped.swap(shared_->queue);
  shared_->work_cv.notify_all();
  shared_->idle_cv.wait_for(lock, grace_, [&] { return shared_->live == 0; });
  lock.unlock();
  dropped.clear();
}

bool EvalExecutor::submit(std::function<void()> task, Ticket* ticket) {
  auto state = std::make_shared<Ticket::State>();
  state->pool = shared_;
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->stopping || shared_->queue.size() >= shared_->max_queue ||
        shared_->abandoned_running > shared_->max_abandoned) {
      return false;
    }
    shared_->queue.push_back({std::move(task), state});
  }
  shared_->work_cv.notify_one();
  if (ticket != nullptr) ticket->state_ = std::move(state);
  return true;
}

std::size_t EvalExecutor::abandoned_running() const {
  std::lock_guard lock(shared_->mu);
  return shared_->abandoned_running;
}

std::size_t EvalExecutor::live_workers() const {
  std::lock_guard lock(shared_->mu);
  return shared_->live;
}

}  // namespace blockhealth
