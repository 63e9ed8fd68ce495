// The status page in a real headless Chromium (Debian's chromium), driven
// over its DevTools protocol: the page, served by the real daemon, shows a
// block and its instances, then an instance turning unhealthy without being
// loaded again (the watch API), asks nothing of any other origin, keeps a
// phone's width, and escapes what plugins write. Screenshots are kept under
// <build>/test-artifacts/.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <iostream>

#include "tests/e2e/e2e_client.h"
#include "tests/support/child_process.h"
#include "tests/support/daemon_process.h"
#include "tests/support/devtools_session.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

const std::filesystem::path kChromium = "/usr/bin/chromium";

// node-1 is judged by test_echo, whose reason carries markup that must show
// as text; node-2 is in maintenance.
std::string status_page_config() {
  return on_request_yaml({"test_echo"}) + R"(
blocks:
  - id: web
    min_healthy: 1
    instances: [{id: node-1}, {id: node-2}]
    policies:
      - use: test_echo
        with: { prefix: '<em id="injected">markup</em> ' }
)";
}

// What the page shows of one instance: {"block", "instance", "text"} (the
// data-status attributes and the instance's visible text), or "absent".
std::string instance_probe(const std::string& block, const std::string& instance) {
  return "(() => { const b = document.querySelector('[data-block=\"" + block +
         "\"]'); if (!b) return 'absent'; const i = b.querySelector('[data-instance=\"" + instance +
         "\"]'); if (!i) return 'absent'; return JSON.stringify({block: b.dataset.status, "
         "instance: i.dataset.status, text: i.innerText}); })()";
}

class StatusPage : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kChromium)) {
      GTEST_SKIP() << "no chromium at " << kChromium << " (apt-get install chromium)";
    }
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), status_page_config());
    ASSERT_TRUE(daemon_->started());
    origin_ = "http://" + address() + "/";
  }

  // Chromium is asked to stop (SIGTERM) so that it takes its renderer and
  // helper processes along; ChildProcess's SIGKILL is for one that hangs.
  void TearDown() override {
    page_.reset();
    if (browser_ && browser_->running()) {
      ::kill(browser_->pid(), SIGTERM);
      wait_until([&] { return !browser_->running(); }, seconds(20), std::chrono::milliseconds(50));
    }
    browser_.reset();
  }

  const std::string& address() const { return daemon_->address(); }

  // Starts Chromium on about:blank and connects to its page; false (the
  // test has failed) when it does not come up.
  bool start_browser() {
    const std::filesystem::path profile = dir_.path() / "chromium-profile";
    std::filesystem::create_directories(profile);
    browser_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kChromium.string(), "--headless=new",
                                 // as root, Chromium's sandbox cannot start
                                 "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                                 "--user-data-dir=" + profile.string(), "--no-first-run",
                                 "--no-default-browser-check", "--disable-extensions",
                                 "--disable-background-networking", "--disable-sync",
                                 "--disable-component-update", "--disable-dev-shm-usage",
                                 "--window-size=1280,900", "about:blank"},
        dir_.path() / "chromium.log");
    const int port = devtools_active_port(profile, seconds(90));
    EXPECT_GT(port, 0) << "Chromium wrote no DevToolsActivePort:\n" << browser_->output();
    if (port <= 0) return false;
    const std::string ws = devtools_page_url(port, seconds(60));
    EXPECT_FALSE(ws.empty()) << "no page target:\n" << browser_->output();
    if (ws.empty()) return false;
    page_ = std::make_unique<DevToolsSession>(ws, seconds(60));
    EXPECT_TRUE(page_->connected()) << page_->error();
    if (!page_->connected()) return false;
    for (const char* domain : {"Page.enable", "Network.enable", "Runtime.enable", "Log.enable"}) {
      EXPECT_TRUE(page_->call(domain)) << page_->error();
    }
    return !::testing::Test::HasFailure();
  }

  // Polls the page until what instance_probe() returns parses and `done`
  // holds; the last object read (null when none).
  json::value wait_for_instance(const std::string& block, const std::string& instance,
                                const std::function<bool(const json::object&)>& done) {
    json::value last;
    std::string raw;
    const bool ok = wait_until(
        [&] {
          auto value = page_->evaluate(instance_probe(block, instance));
          if (!value || !value->is_string()) return false;
          raw = std::string(value->as_string());
          boost::system::error_code ec;
          json::value parsed = json::parse(raw, ec);
          if (ec || !parsed.is_object()) return false;
          last = parsed;
          return done(parsed.as_object());
        },
        seconds(60), std::chrono::milliseconds(100));
    EXPECT_TRUE(ok) << "page shows: " << raw << "\n" << page_->error();
    return last;
  }

  // Puts both instances at ok (node-2 in maintenance), starts Chromium and
  // opens `target` of the daemon; false (the test has failed) when any of
  // it fails.
  bool open_page(const std::string& target) {
    EXPECT_EQ(push_status(address(), "web", "node-1", 0).status, 200);
    EXPECT_EQ(push_status(address(), "web", "node-2", 0).status, 200);
    EXPECT_EQ(put_json("/v1/blocks/web/instances/node-2/maintenance",
                       R"({"reason": "driver upgrade", "until": "1h"})")
                  .status,
              200);
    evaluate_and_wait(address(), "web", [](const json::value& view) {
      return str(instance_of(view, "node-1"), "status") == "ok" &&
             str(instance_of(view, "node-2"), "status") == "ok";
    });
    if (::testing::Test::HasFailure() || !start_browser()) return false;
    EXPECT_TRUE(page_->call("Page.navigate", {{"url", origin_ + target}})) << page_->error();
    wait_for_instance("web", "node-1",
                      [](const json::object& o) { return o.at("instance").as_string() == "ok"; });
    return !::testing::Test::HasFailure();
  }

  HttpReply put_json(const std::string& target, const std::string& body) const {
    HttpRequest request;
    request.method = "PUT";
    request.target = target;
    request.headers["Content-Type"] = "application/json";
    request.body = body;
    return http_request(address(), request);
  }

  std::string evaluate_string(const std::string& expression) {
    auto value = page_->evaluate(expression);
    if (!value || !value->is_string()) return "";
    return std::string(value->as_string());
  }

  // Every URL the page asked for (Network.requestWillBeSent), in order.
  std::vector<std::string> requested_urls() const {
    std::vector<std::string> urls;
    for (const json::object& e : page_->events()) {
      if (e.at("method").as_string() != "Network.requestWillBeSent") continue;
      urls.emplace_back(e.at("params").at("request").at("url").as_string());
    }
    return urls;
  }

  std::filesystem::path artifact(const std::string& name) const {
    return binary_dir() / "test-artifacts" / name;
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::string origin_;
  std::unique_ptr<ChildProcess> browser_;
  std::unique_ptr<DevToolsSession> page_;
};

// With ?wait=5m the page reads the blocks again only when the watch
// answers with a transition, after a failed request, or after 5 minutes
// (past every deadline here): with no failure, the instance turns unhealthy
// on the page through the watch.
TEST_F(StatusPage, ShowsAnInstanceTurningUnhealthyWithoutAReload) {
  // "/" sends the browser to /ui/, with the query.
  ASSERT_TRUE(open_page("?wait=5m"));
  json::value shown = wait_for_instance(
      "web", "node-1", [](const json::object& o) { return o.at("instance").as_string() == "ok"; });
  EXPECT_EQ(shown.at("block").as_string(), "ok") << shown;
  EXPECT_NE(std::string(shown.at("text").as_string()).find("ok"), std::string::npos) << shown;
  EXPECT_EQ(evaluate_string("location.pathname + location.search"), "/ui/?wait=5m");
  const json::value node2 = wait_for_instance(
      "web", "node-2", [](const json::object& o) { return o.at("instance").as_string() == "ok"; });
  EXPECT_NE(std::string(node2.at("text").as_string()).find("maintenance"), std::string::npos)
      << node2;
  EXPECT_NE(evaluate_string("document.getElementById('holds').innerText").find("driver upgrade"),
            std::string::npos);
  EXPECT_NE(evaluate_string("document.getElementById('plugins').innerText").find("test_echo"),
            std::string::npos);
  EXPECT_NE(evaluate_string("document.getElementById('connection').innerText").find("live"),
            std::string::npos);
  // A mark that a reload would wipe out.
  ASSERT_TRUE(page_->evaluate("window.blockhealthTestMark = 'not reloaded'"));

  // The page's one long poll waits in the daemon.
  EXPECT_TRUE(wait_until([&] { return metric_value(address(), "blockhealth_http_watches") == 1; },
                         seconds(60)))
      << metric_value(address(), "blockhealth_http_watches");

  ASSERT_EQ(push_status(address(), "web", "node-1", 2).status, 200);
  evaluate_and_wait(address(), "web", [](const json::value& view) {
    return str(instance_of(view, "node-1"), "status") == "unhealthy";
  });
  shown = wait_for_instance("web", "node-1", [](const json::object& o) {
    return o.at("instance").as_string() == "unhealthy";
  });
  ASSERT_TRUE(shown.is_object());
  const std::string text(shown.at("text").as_string());
  EXPECT_EQ(shown.at("block").as_string(), "unhealthy") << shown;
  EXPECT_NE(text.find("unhealthy"), std::string::npos) << text;  // in words, not colour alone
  EXPECT_NE(text.find("test_status=2"), std::string::npos) << text;
  EXPECT_NE(text.find("since"), std::string::npos) << text;
  EXPECT_EQ(evaluate_string("String(window.blockhealthTestMark)"), "not reloaded");
  // The transition is listed, newest first.
  const std::string events = evaluate_string("document.getElementById('events').innerText");
  EXPECT_NE(events.find("web / node-1"), std::string::npos) << events;
  EXPECT_NE(events.find("unhealthy"), std::string::npos) << events;

  // The plugin's markup is text on the page, not elements.
  EXPECT_NE(text.find("<em id=\"injected\">markup</em>"), std::string::npos) << text;
  EXPECT_EQ(evaluate_string("String(document.getElementById('injected'))"), "null");

  const std::filesystem::path png = artifact("status-page.png");
  ASSERT_TRUE(page_->screenshot(png)) << page_->error();
  EXPECT_EQ(read_file(png).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::cout << "status page screenshot: " << png.string() << std::endl;
  RecordProperty("screenshot", png.string());

  // A phone's width: nothing wider than the screen.
  ASSERT_TRUE(
      page_->call("Emulation.setDeviceMetricsOverride",
                  {{"width", 375}, {"height", 812}, {"deviceScaleFactor", 2}, {"mobile", true}}))
      << page_->error();
  EXPECT_TRUE(wait_until(
      [&] { return evaluate_string("String(document.documentElement.clientWidth)") == "375"; },
      seconds(30)));
  EXPECT_EQ(evaluate_string("String(document.documentElement.scrollWidth)"), "375");
  const std::filesystem::path phone_png = artifact("status-page-phone.png");
  ASSERT_TRUE(page_->screenshot(phone_png)) << page_->error();
  std::cout << "status page screenshot (375 px wide): " << phone_png.string() << std::endl;

  // Everything the page asked for came from the daemon, and the watch was
  // a long poll on /v1/events.
  const std::vector<std::string> urls = requested_urls();
  ASSERT_FALSE(urls.empty());
  bool long_polled = false;
  for (const std::string& url : urls) {
    EXPECT_EQ(url.rfind(origin_, 0), 0U) << url;
    long_polled = long_polled || (url.find("/v1/events?wait=5m") != std::string::npos &&
                                  url.find("after=") != std::string::npos);
  }
  EXPECT_TRUE(long_polled);
  int documents = 0;  // the navigation to "/" and its redirect: one document
  for (const json::object& e : page_->events()) {
    if (e.at("method").as_string() == "Page.frameNavigated" &&
        !e.at("params").at("frame").as_object().contains("parentId")) {
      ++documents;
    }
  }
  EXPECT_EQ(documents, 1);
  // No script error, no refused resource (a CSP violation is logged here).
  for (const json::object& e : page_->events()) {
    const std::string method(e.at("method").as_string());
    EXPECT_NE(method, "Runtime.exceptionThrown") << json::serialize(e);
    if (method == "Log.entryAdded") {
      EXPECT_NE(std::string(e.at("params").at("entry").at("level").as_string()), "error")
          << json::serialize(e);
    }
  }
}

// What changes without a transition (a hold, a new block) shows after the
// watch's wait runs out (?wait=1s here; 25 s by default), still without a
// reload.
TEST_F(StatusPage, HoldsAndNewBlocksShowWithoutATransition) {
  ASSERT_TRUE(open_page("ui/?wait=1s"));
  ASSERT_TRUE(page_->evaluate("window.blockhealthTestMark = 'not reloaded'"));
  EXPECT_EQ(put_json("/v1/blocks/web/instances/node-1/maintenance",
                     R"({"reason": "kernel upgrade", "until": "2h"})")
                .status,
            200);
  HttpReply silence = http_post(address(), "/v1/silences",
                                R"({"block": "web", "reason": "noisy neighbour", "until": "1h"})");
  EXPECT_EQ(silence.status, 201) << silence.body;
  const HttpReply created =
      put_json("/v1/blocks/late-block",
               R"({"instances": [{"id": "late-1"}], "policies": [{"use": "test_echo"}]})");
  EXPECT_EQ(created.status, 201) << created.body;

  const json::value shown = wait_for_instance("web", "node-1", [](const json::object& o) {
    return std::string(o.at("text").as_string()).find("kernel upgrade") != std::string::npos;
  });
  EXPECT_NE(std::string(shown.at("text").as_string()).find("silenced"), std::string::npos) << shown;
  EXPECT_TRUE(wait_until(
      [&] {
        const std::string holds = evaluate_string("document.getElementById('holds').innerText");
        return holds.find("kernel upgrade") != std::string::npos &&
               holds.find("noisy neighbour") != std::string::npos;
      },
      seconds(60), std::chrono::milliseconds(100)))
      << evaluate_string("document.getElementById('holds').innerText");
  wait_for_instance("late-block", "late-1", [](const json::object& o) {
    return o.at("instance").as_string() == "unknown";
  });
  EXPECT_EQ(evaluate_string("String(window.blockhealthTestMark)"), "not reloaded");
}

}  // namespace
}  // namespace blockhealth::test
