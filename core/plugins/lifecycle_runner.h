// LifecycleRunner: runs plugins' create() and destroy() calls on a thread of
// its own and waits for each at most its deadline, so that the control
// thread (start-up, reloads, block writes) and the threads that drop the
// last reference to an instance never wait on a plugin for longer than the
// policy's `timeout`. A call that overruns is not preempted (nothing can
// stop code inside a shared object): its worker thread is abandoned to it
// and a fresh one takes the next call.
#ifndef BLOCKHEALTH_CORE_PLUGINS_LIFECYCLE_RUNNER_H
#define BLOCKHEALTH_CORE_PLUGINS_LIFECYCLE_RUNNER_H

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

namespace blockhealth {

class LifecycleRunner {
 public:
  // The process's runner. Never destroyed: an abandoned worker may still be
  // inside a plugin when the process exits.
  static LifecycleRunner& instance();

  // Runs `job` on the worker and waits for it at most `limit`. Returns true
  // when the job finished in time. On false the job goes on running on the
  // abandoned worker, which exits once the job returns: `job` must own (by
  // value or shared_ptr) everything it touches and must not throw. Calls
  // from several threads run one at a time, in the order they take the
  // lock. Called from inside a job (an instance dropped by a job is
  // destroyed from it), runs `job` inline and returns true. [any thread]
  bool run(std::function<void()> job, std::chrono::milliseconds limit);

  // True on a worker thread (also an abandoned one). [any thread]
  static bool on_worker();

 private:
  struct Worker;
  LifecycleRunner() = default;

  std::mutex run_mu_;               // one job at a time
  std::shared_ptr<Worker> worker_;  // GUARDED_BY(run_mu_); null until the first job
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_LIFECYCLE_RUNNER_H
