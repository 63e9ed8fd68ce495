#include "core/sources/in_flight_limiter.h"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace blockhealth {

void InFlightLimiter::acquire(const boost::asio::any_io_executor& executor,
                              std::function<void()> start) {
  {
    std::lock_guard lock(mu_);
    if (held_ >= limit_) {
      waiting_.push_back({executor, std::move(start)});
      return;
    }
    ++held_;
    peak_ = std::max(peak_, held_);
  }
  start();
}

void InFlightLimiter::release() {
  Waiter next;
  {
    std::lock_guard lock(mu_);
    if (waiting_.empty()) {
      if (held_ > 0) --held_;
      return;
    }
    next = std::move(waiting_.front());  // the slot passes to it; held_ stays
    waiting_.pop_front();
  }
  boost::asio::post(next.executor, std::move(next.start));
}

std::size_t InFlightLimiter::in_flight() const {
  std::lock_guard lock(mu_);
  return held_;
}

std::size_t InFlightLimiter::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

std::size_t InFlightLimiter::peak() const {
  std::lock_guard lock(mu_);
  return peak_;
}

}  // namespace blockhealth
