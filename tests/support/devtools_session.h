// A client of Chromium's DevTools protocol for tests that drive a real
// headless browser (https://chromedevtools.github.io/devtools-protocol/):
// one WebSocket (Boost.Beast) to a page target, commands and their answers,
// and the events the browser sent meanwhile. Synchronous for the test, with
// a deadline on every wait; one thread only (the test's).
#ifndef BLOCKHEALTH_TESTS_SUPPORT_DEVTOOLS_SESSION_H
#define BLOCKHEALTH_TESTS_SUPPORT_DEVTOOLS_SESSION_H

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace blockhealth::test {

class DevToolsSession {
 public:
  // Connects to a target's WebSocket URL
  // ("ws://127.0.0.1:PORT/devtools/page/ID"). connected() says whether it
  // worked, error() why not.
  explicit DevToolsSession(const std::string& websocket_url,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~DevToolsSession();
  DevToolsSession(const DevToolsSession&) = delete;
  DevToolsSession& operator=(const DevToolsSession&) = delete;

  bool connected() const;
  const std::string& error() const;

  // Sends the command and waits for its answer: the "result" object, or
  // nullopt (error() then says why: the browser's error, a closed socket,
  // the timeout).
  std::optional<boost::json::object> call(
      const std::string& method, boost::json::object params = {},
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Runtime.evaluate of `expression` in the page, its value returned by
  // value (a string, number, boolean or JSON-able object); nullopt when it
  // threw or the call failed (error() says which).
  std::optional<boost::json::value> evaluate(const std::string& expression);

  // Every event received so far, in order: {"method": ..., "params": ...}.
  const std::vector<boost::json::object>& events() const;

  // Page.captureScreenshot of the whole page (not only the viewport) as
  // PNG, written to `path` (folders created). False when it failed.
  bool screenshot(const std::filesystem::path& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The DevTools port of a Chromium started with --remote-debugging-port=0:
// the first line of <user-data-dir>/DevToolsActivePort, once the browser
// wrote it; 0 when it did not within `timeout`.
int devtools_active_port(const std::filesystem::path& user_data_dir,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The WebSocket URL of the first "page" target that GET /json/list on
// 127.0.0.1:<port> lists; "" when none appears within `timeout`.
std::string devtools_page_url(int port,
                              std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_DEVTOOLS_SESSION_H
