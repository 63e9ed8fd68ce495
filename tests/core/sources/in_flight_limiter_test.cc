#include "core/sources/in_flight_limiter.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace blockhealth {
namespace {

TEST(InFlightLimiter, RunsAtOnceWhileSlotsAreFreeThenQueuesInOrder) {
  boost::asio::io_context io;
  InFlightLimiter limiter(2);
  std::vector<int> ran;
  for (int i = 0; i < 4; ++i) limiter.acquire(io.get_executor(), [&ran, i] { ran.push_back(i); });
  EXPECT_EQ(ran, (std::vector<int>{0, 1}));
  EXPECT_EQ(limiter.in_flight(), 2u);
  EXPECT_EQ(limiter.waiting(), 2u);

  limiter.release();  // the slot passes to waiter 2, which runs on the executor
  EXPECT_EQ(limiter.in_flight(), 2u);
  io.poll();
  io.restart();
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2}));
  limiter.release();
  io.poll();
  io.restart();
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(limiter.waiting(), 0u);
  limiter.release();
  limiter.release();
  EXPECT_EQ(limiter.in_flight(), 0u);
  limiter.release();  // an extra release never goes negative
  EXPECT_EQ(limiter.in_flight(), 0u);
  EXPECT_EQ(limiter.peak(), 2u);
}

}  // namespace
}  // namespace blockhealth
