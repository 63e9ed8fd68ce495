// InFlightLimiter: a global bound on requests in flight across all pull
// targets. A request that finds no free slot waits, first come first
// served, instead of being dropped.
#ifndef BLOCKHEALTH_CORE_SOURCES_IN_FLIGHT_LIMITER_H
#define BLOCKHEALTH_CORE_SOURCES_IN_FLIGHT_LIMITER_H

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace blockhealth {

// Thread-safe: every method may be called from any thread.
class InFlightLimiter {
 public:
  // REQUIRES: limit >= 1.
  explicit InFlightLimiter(std::size_t limit) : limit_(limit) {}

  // Takes a slot for `start`: runs it now (on the caller's thread) when one
  // is free, else posts it to `executor` once a slot is released to it.
  // Whoever runs `start` owns the slot and must release() it exactly once.
  void acquire(const boost::asio::any_io_executor& executor, std::function<void()> start);
  void release();

  std::size_t in_flight() const;
  std::size_t waiting() const;
  std::size_t peak() const;  // most slots held at once so far

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;
    std::function<void()> start;
  };
  const std::size_t limit_;
  mutable std::mutex mu_;
  std::size_t held_ = 0;        // GUARDED_BY(mu_)
  std::size_t peak_ = 0;        // GUARDED_BY(mu_)
  std::deque<Waiter> waiting_;  // GUARDED_BY(mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_IN_FLIGHT_LIMITER_H
