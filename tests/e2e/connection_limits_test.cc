// Connections and watches a client cannot exhaust (issue 13, finding 1 and
// 5), against the real daemon: past server.max_connections a connection
// gets a 503 and is closed; long polls whose client went away are noticed
// and closed; past server.max_watches a watch gets a 503; SIGTERM with
// hundreds of open and abandoned watches exits 0; the open-files limit is
// raised to the hard limit at start.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <memory>
#include <vector>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

std::string config(const std::string& server) {
  return on_request_yaml({"test_echo"}) + "server:\n" + server + R"(
blocks:
  - id: b
    instances:
      - id: n1
    policies:
      - use: test_echo
)";
}

// Opens `n` connections, each waiting in a long poll on block b's view.
std::vector<std::unique_ptr<RawConnection>> open_watches(const std::string& address, int n) {
  std::vector<std::unique_ptr<RawConnection>> out;
  for (int i = 0; i < n; ++i) {
    auto c = std::make_unique<RawConnection>(address);
    EXPECT_TRUE(c->connected()) << c->error();
    EXPECT_TRUE(c->send("GET /v1/blocks/b?index=999999&wait=5m HTTP/1.1\r\nHost: t\r\n\r\n"));
    out.push_back(std::move(c));
  }
  return out;
}

// Sends `request` until it is answered 503, opening one more watch each
// time it is not: a slot freed late (by a connection on its way out, the
// readiness check's) or a watch not read yet gets filled. The last reply.
HttpReply until_refused(const std::string& address,
                        std::vector<std::unique_ptr<RawConnection>>& watches,
                        const std::function<HttpReply()>& request) {
  HttpReply last;
  wait_until([&] {
    last = request();
    if (last.status == 503) return true;
    for (auto& w : open_watches(address, 1)) watches.push_back(std::move(w));
    return false;
  });
  return last;
}

bool healthz_ok(const std::string& address) {
  return http_get(address, "/healthz").status == 200;
}

TEST(ConnectionLimits, PastMaxConnectionsANewConnectionGets503AndIsClosed) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config("  max_connections: 16\n"));
  ASSERT_TRUE(daemon.started());
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 16; ++i) {
    idle.push_back(std::make_unique<RawConnection>(daemon.address()));
    ASSERT_TRUE(idle.back()->connected());
  }
  // The daemon counts a connection once it accepted it, and frees one once
  // it saw it close: poll until a new one is refused, filling a slot that
  // a connection on its way out (the readiness check's) left.
  std::string refused;
  ASSERT_TRUE(wait_until([&] {
    RawConnection extra(daemon.address());
    if (!extra.connected()) return false;
    extra.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    const auto r = extra.read_until_closed();
    refused = r.bytes;
    if (r.end == RawConnection::End::kClosedByPeer &&
        r.bytes.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0) {
      return true;
    }
    idle.push_back(std::make_unique<RawConnection>(daemon.address()));
    return false;
  })) << refused;
  EXPECT_NE(refused.find("server.max_connections"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  idle.clear();  // they go: the daemon answers again
  EXPECT_TRUE(wait_until([&] { return healthz_ok(daemon.address()); }));
  EXPECT_NE(daemon.log().find("server.max_connections (16) reached"), std::string::npos)
      << daemon.log();
}

TEST(ConnectionLimits, LongPollsWhoseClientWentAwayAreClosed) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config("  max_connections: 16\n  request_timeout: 300ms\n"));
  ASSERT_TRUE(daemon.started());
  {
    // Every slot filled with a watch waiting for five minutes.
    auto watches = open_watches(daemon.address(), 16);
    const HttpReply last = until_refused(daemon.address(), watches,
                                         [&] { return http_get(daemon.address(), "/healthz"); });
    ASSERT_EQ(last.status, 503) << last.error << " " << last.body;
  }  // the clients close their ends
  // The daemon notices (within request_timeout of each) and frees the slots.
  EXPECT_TRUE(wait_until([&] { return healthz_ok(daemon.address()); })) << daemon.log();
}

TEST(ConnectionLimits, PastMaxWatchesAWatchGets503) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config("  max_watches: 2\n"));
  ASSERT_TRUE(daemon.started());
  auto watches = open_watches(daemon.address(), 2);
  // Until both are waiting (read by the daemon), a third may wait in the
  // place of one (which is then refused): it answers 200 after its 200ms.
  const HttpReply third = until_refused(daemon.address(), watches, [&] {
    return http_get(daemon.address(), "/v1/blocks/b?index=999999&wait=200ms");
  });
  ASSERT_EQ(third.status, 503) << third.body;
  EXPECT_NE(str(third.json(), "message").find("server.max_watches (2)"), std::string::npos)
      << third.body;
  EXPECT_EQ(third.header("Retry-After"), "1");
  // Reads that do not wait are not affected.
  EXPECT_EQ(http_get(daemon.address(), "/v1/blocks/b").status, 200);
  EXPECT_EQ(http_get(daemon.address(), "/v1/events?after=0&wait=0s").status, 200);
}

TEST(ConnectionLimits, SigtermWithHundredsOfOpenAndAbandonedWatchesExitsZero) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config("  request_timeout: 300ms\n"));
  ASSERT_TRUE(daemon.started());
  auto abandoned = open_watches(daemon.address(), 150);
  auto open = open_watches(daemon.address(), 150);
  abandoned.clear();
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(), 0) << daemon.log();
}

TEST(ConnectionLimits, TheOpenFilesLimitIsRaisedToTheHardLimit) {
  rlimit mine{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &mine), 0);
  if (mine.rlim_max < 1024) GTEST_SKIP() << "hard limit " << mine.rlim_max << " too low";
  // The daemon inherits a low soft limit from this process.
  rlimit low = mine;
  low.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  TempDir dir;
  DaemonProcess daemon(dir.path(), config("  threads: 1\n"));
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &mine), 0);
  ASSERT_TRUE(daemon.started());
  std::ifstream limits("/proc/" + std::to_string(daemon.pid()) + "/limits");
  std::string line;
  std::string soft;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(14));
      fields >> soft;
    }
  }
  EXPECT_EQ(soft, mine.rlim_max == RLIM_INFINITY ? "unlimited" : std::to_string(mine.rlim_max));
  EXPECT_NE(daemon.log().find("open files limit raised from 256 to"), std::string::npos)
      << daemon.log();
}

}  // namespace
}  // namespace blockhealth::test
