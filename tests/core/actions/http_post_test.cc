#include "core/actions/http_post.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <thread>

#include "tests/support/fake_instance.h"
#include "tests/support/webhook_receiver.h"

namespace blockhealth {
namespace {

using test::ReceiverReply;
using test::WebhookReceiver;

HttpUrl loopback_url(std::uint16_t port, const std::string& target,
                     const std::string& host = "127.0.0.1") {
  HttpUrl url;
  url.host = host;
  url.port = port;
  url.target = target;
  url.text = "http://" + host + ":" + std::to_string(port) + target;
  return url;
}

// Runs async_post on a thread of its own and waits for the result.
class PostHarness {
 public:
  PostHarness() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~PostHarness() {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  PostResult post(PostRequest request) {
    std::promise<PostResult> promise;
    auto future = promise.get_future();
    async_post(io_.get_executor(), std::move(request),
               [&promise](PostResult r) { promise.set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "the POST never completed";
      return {};
    }
    return future.get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

TEST(HttpPost, SendsAJsonPostWithTheHeadersGiven) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::answer(202, "queued")});
  PostHarness harness;
  PostRequest request;
  request.url = loopback_url(receiver.port(), "/hooks/a?x=1");
  request.body = R"({"a":1})";
  request.headers = {{"X-Team", "gpu"}, {"Authorization", "Bearer t0k"}};
  const PostResult result = harness.post(request);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.http_status, 202);
  EXPECT_EQ(result.body, "queued");
  ASSERT_EQ(receiver.count(), 1U);
  const auto r = receiver.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hooks/a?x=1");
  EXPECT_EQ(r.body, R"({"a":1})");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("content-length"), "7");
  EXPECT_EQ(r.header("host"), "127.0.0.1:" + std::to_string(receiver.port()));
  EXPECT_EQ(r.header("user-agent"), "blockhealthd");
  EXPECT_EQ(r.header("x-team"), "gpu");
  EXPECT_EQ(r.header("authorization"), "Bearer t0k");
}

TEST(HttpPost, AHeaderGivenReplacesTheDefault) {
  WebhookReceiver receiver;
  PostHarness harness;
  PostRequest request;
  request.url = loopback_url(receiver.port(), "/");
  request.headers = {{"Content-Type", "application/cloudevents+json"}};
  EXPECT_EQ(harness.post(request).http_status, 200);
  ASSERT_EQ(receiver.count(), 1U);
  EXPECT_EQ(receiver.requests()[0].header("Content-Type"), "application/cloudevents+json");
}

TEST(HttpPost, AnErrorStatusIsAnAnswerNotAnError) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::answer(503, "overloaded")});
  PostHarness harness;
  PostRequest request;
  request.url = loopback_url(receiver.port(), "/");
  const PostResult result = harness.post(request);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.http_status, 503);
  EXPECT_EQ(result.body, "overloaded");
}

TEST(HttpPost, ALongAnswerIsCutAtTheLimitAndKeepsItsStatus) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::answer(500, std::string(10'000, 'x'))});
  PostHarness harness;
  PostRequest request;
  request.url = loopback_url(receiver.port(), "/");
  request.response_body_limit = 100;
  const PostResult result = harness.post(request);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.http_status, 500);
  EXPECT_LE(result.body.size(), 100U);
}

TEST(HttpPost, AClosedPortIsAConnectError) {
  PostHarness harness;
  PostRequest request;
  request.url = loopback_url(test::FakeInstance::closed_port(), "/");
  const PostResult result = harness.post(request);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_EQ(result.error, "connect: Connection refused");
}

TEST(HttpPost, AHungReceiverTimesOut) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::hang()});
  PostHarness harness;
  PostRequest request;
  request.url = loopback_url(receiver.port(), "/");
  request.timeout = std::chrono::milliseconds(100);
  const PostResult result = harness.post(request);
  EXPECT_EQ(result.http_status, 0);
  EXPECT_EQ(result.error, "timed out after 100ms (waiting for the answer)");
  EXPECT_EQ(receiver.count(), 1U);
}

TEST(HttpPost, AHostNameIsResolved) {
  WebhookReceiver receiver;
  PostHarness harness;
  PostRequest request;
  request.url = loopback_url(receiver.port(), "/named", "localhost");
  const PostResult result = harness.post(request);
  // localhost may resolve to ::1 first; the receiver listens on 127.0.0.1
  // only, and async_connect tries each address in turn.
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.http_status, 200);
  ASSERT_EQ(receiver.count(), 1U);
  EXPECT_EQ(receiver.requests()[0].header("host"), "localhost:" + std::to_string(receiver.port()));
}

TEST(HttpPost, AReceiverThatClosesWithoutAnswerIsAnError) {
  // The receiver is stopped between accept and answer by hanging, then
  // going down: the client sees the connection closed.
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::hang()});
  PostHarness harness;
  PostRequest request;
  request.url = loopback_url(receiver.port(), "/");
  request.timeout = std::chrono::seconds(20);
  std::thread stopper([&receiver] {
    if (receiver.wait_for(1)) receiver.stop();
  });
  const PostResult result = harness.post(request);
  stopper.join();
  EXPECT_EQ(result.http_status, 0);
  EXPECT_FALSE(result.error.empty());
  EXPECT_EQ(result.error.rfind("read: ", 0), 0U) << result.error;
}

}  // namespace
}  // namespace blockhealth
