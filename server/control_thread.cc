#include "server/control_thread.h"

#include <pthread.h>

namespace blockhealth::server {

ControlThread::ControlThread() : thread_([this] { run(); }) {}

ControlThread::~ControlThread() {
  stop();
}

void ControlThread::post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

bool ControlThread::stop(std::chrono::milliseconds patience) {
  std::unique_lock lock(mu_);
  stopping_ = true;
  wake_.notify_all();
  const bool finished = wake_.wait_for(lock, patience, [this] { return finished_; });
  lock.unlock();
  if (!thread_.joinable()) return finished;
  if (finished) {
    thread_.join();
  } else {
    thread_.detach();
  }
  return finished;
}

void ControlThread::run() {
  pthread_setname_np(pthread_self(), "bh-control");
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) {  // stopping, nothing left
      finished_ = true;
      wake_.notify_all();
      return;
    }
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace blockhealth::server
