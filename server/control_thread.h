// ControlThread: the daemon's one thread for configuration work (reloads,
// blocks written over HTTP): parsing, validating and planning never run on
// an HTTP loop, the engine thread or a signal handler. Jobs run one at a
// time, in the order posted.
#ifndef BLOCKHEALTH_SERVER_CONTROL_THREAD_H
#define BLOCKHEALTH_SERVER_CONTROL_THREAD_H

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace blockhealth::server {

class ControlThread {
 public:
  ControlThread();
  // Runs the jobs already posted, then joins.
  ~ControlThread();
  ControlThread(const ControlThread&) = delete;
  ControlThread& operator=(const ControlThread&) = delete;

  // Queues `job`. Thread-safe. A job posted after stop() is dropped.
  void post(std::function<void()> job);
  // Lets the jobs queued finish and ends the thread; later posts are
  // dropped. Waits at most `patience` for them: a job still running then
  // (a plugin's create() that never returns) is left behind, the thread
  // detached, and false returned; the process is expected to exit.
  // Idempotent. Not from a job.
  bool stop(std::chrono::milliseconds patience = std::chrono::seconds(10));

 private:
  void run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                   // GUARDED_BY(mu_)
  bool finished_ = false;                   // GUARDED_BY(mu_): run() returned
  std::thread thread_;
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_CONTROL_THREAD_H
