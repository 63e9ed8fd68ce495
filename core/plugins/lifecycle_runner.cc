#include "core/plugins/lifecycle_runner.h"

#include <condition_variable>
#include <thread>
#include <utility>

namespace blockhealth {
namespace {
thread_local bool t_on_worker = false;
}  // namespace

// One worker thread and its mailbox. Shared by the runner and the thread
// itself, so an abandoned worker outlives the runner's reference to it.
struct LifecycleRunner::Worker {
  std::mutex mu;
  std::condition_variable cv;
  std::function<void()> job;  // GUARDED_BY(mu); empty when none is waiting
  bool done = false;          // GUARDED_BY(mu); the last job returned
  bool abandoned = false;     // GUARDED_BY(mu); exit after the job under way

  static void loop(const std::shared_ptr<Worker>& self) {
    t_on_worker = true;
    std::unique_lock lock(self->mu);
    for (;;) {
      self->cv.wait(lock, [&] { return self->job || self->abandoned; });
      if (!self->job) return;
      std::function<void()> job = std::move(self->job);
      self->job = nullptr;
      lock.unlock();
      job();
      job = nullptr;  // what the job owned is released here, on this thread
      lock.lock();
      self->done = true;
      self->cv.notify_all();
      if (self->abandoned) return;
    }
  }
};

LifecycleRunner& LifecycleRunner::instance() {
  static LifecycleRunner* const runner = new LifecycleRunner();  // never destroyed
  return *runner;
}

bool LifecycleRunner::on_worker() {
  return t_on_worker;
}

bool LifecycleRunner::run(std::function<void()> job, std::chrono::milliseconds limit) {
  if (t_on_worker) {
    job();
    return true;
  }
  std::lock_guard run_lock(run_mu_);
  if (!worker_) {
    worker_ = std::make_shared<Worker>();
    std::thread([w = worker_] { Worker::loop(w); }).detach();
  }
  std::shared_ptr<Worker> worker = worker_;
  std::unique_lock lock(worker->mu);
  worker->done = false;
  worker->job = std::move(job);
  worker->cv.notify_all();
  if (worker->cv.wait_for(lock, limit, [&] { return worker->done; })) return true;
  worker->abandoned = true;
  worker_.reset();
  return false;
}

}  // namespace blockhealth
