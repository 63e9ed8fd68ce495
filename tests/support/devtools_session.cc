#include "tests/support/devtools_session.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "tests/support/http_client.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Standard base64 (RFC 4648 4), as the protocol sends binary data; stops at
// the first character that is not part of it ('=' included).
std::string devtools_base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned bits = 0;
  int count = 0;
  for (const char c : text) {
    const int v = value(c);
    if (v < 0) break;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

}  // namespace

struct DevToolsSession::Impl {
  net::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  std::map<std::int64_t, json::object> answers;  // by command id, until call() takes them
  std::vector<json::object> events;
  std::int64_t next_id = 1;
  bool connected = false;
  bool failed = false;
  std::string error;

  void fail(std::string why) {
    if (!failed) error = std::move(why);
    failed = true;
  }

  // Runs the I/O until `done` holds, the connection failed or the deadline
  // passed; true when `done` holds.
  bool run_until(const std::function<bool()>& done, Clock::time_point deadline) {
    while (!done()) {
      if (failed) return false;
      if (Clock::now() >= deadline) return false;
      if (io.stopped()) io.restart();
      io.run_one_until(deadline);
    }
    return true;
  }

  // One read always pending once connected: messages are filed as they
  // come, whatever the test waits for.
  void read_next() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        fail("DevTools connection: " + ec.message());
        return;
      }
      const std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      boost::system::error_code parse_error;
      json::value message = json::parse(text, parse_error);
      if (!parse_error && message.is_object()) {
        json::object& o = message.as_object();
        if (const json::value* id = o.if_contains("id"); id != nullptr && id->is_int64()) {
          answers[id->as_int64()] = std::move(o);
        } else {
          events.push_back(std::move(o));
        }
      }
      read_next();
    });
  }
};

DevToolsSession::DevToolsSession(const std::string& websocket_url,
                                 std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  // ws://HOST:PORT/PATH
  const std::string scheme = "ws://";
  const std::size_t slash = websocket_url.find('/', scheme.size());
  const std::size_t colon = websocket_url.rfind(':', slash);
  if (!websocket_url.starts_with(scheme) || slash == std::string::npos ||
      colon == std::string::npos || colon < scheme.size()) {
    s.fail("not a ws:// URL: " + websocket_url);
    return;
  }
  const std::string host = websocket_url.substr(scheme.size(), colon - scheme.size());
  const std::string port = websocket_url.substr(colon + 1, slash - colon - 1);
  const std::string path = websocket_url.substr(slash);
  const auto deadline = Clock::now() + timeout;
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) {
    s.fail("DevTools host " + host + ": " + ec.message());
    return;
  }
  bool done = false;
  beast::get_lowest_layer(s.ws).expires_after(timeout);
  beast::get_lowest_layer(s.ws).async_connect(
      net::ip::tcp::endpoint(address, static_cast<unsigned short>(std::stoi(port))),
      [&](beast::error_code e) {
        if (e) {
          s.fail("connect to " + host + ":" + port + ": " + e.message());
          return;
        }
        s.ws.async_handshake(host + ":" + port, path, [&](beast::error_code h) {
          if (h) {
            s.fail("WebSocket handshake with " + websocket_url + ": " + h.message());
            return;
          }
          done = true;
        });
      });
  if (!s.run_until([&] { return done; }, deadline)) {
    if (!s.failed) s.fail("no WebSocket to " + websocket_url + " within the deadline");
    // Ends what is pending now, while the locals its handlers use live.
    boost::system::error_code ignored;
    beast::get_lowest_layer(s.ws).socket().close(ignored);
    s.io.restart();
    s.io.poll();
    return;
  }
  beast::get_lowest_layer(s.ws).expires_never();
  s.ws.text(true);
  s.ws.read_message_max(256u << 20);  // full-page screenshots are large
  s.connected = true;
  s.read_next();
}

DevToolsSession::~DevToolsSession() {
  Impl& s = *impl_;
  boost::system::error_code ignored;
  beast::get_lowest_layer(s.ws).socket().close(ignored);
  // The pending read ends (aborted) here, while everything it uses lives.
  s.io.restart();
  s.io.poll();
}

bool DevToolsSession::connected() const {
  return impl_->connected && !impl_->failed;
}
const std::string& DevToolsSession::error() const {
  return impl_->error;
}
const std::vector<json::object>& DevToolsSession::events() const {
  return impl_->events;
}

std::optional<json::object> DevToolsSession::call(const std::string& method, json::object params,
                                                  std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  if (!connected()) return std::nullopt;
  const std::int64_t id = s.next_id++;
  const std::string text =
      json::serialize(json::object{{"id", id}, {"method", method}, {"params", std::move(params)}});
  bool written = false;
  // The buffer lives until the write's handler ran (run_until below).
  s.ws.async_write(net::buffer(text), [&](beast::error_code ec, std::size_t) {
    if (ec) {
      s.fail(method + ": write: " + ec.message());
      return;
    }
    written = true;
  });
  const bool answered =
      s.run_until([&] { return written && s.answers.contains(id); }, Clock::now() + timeout);
  if (!written) {
    // A write cut by the deadline cannot be left pending with its buffer
    // gone: the session is over.
    if (!s.failed) s.fail(method + ": not sent within the deadline");
    boost::system::error_code ignored;
    beast::get_lowest_layer(s.ws).socket().close(ignored);
    s.io.restart();
    s.io.poll();
    return std::nullopt;
  }
  if (!answered) {
    if (!s.failed) s.error = method + ": no answer within the deadline";
    return std::nullopt;
  }
  json::object answer = std::move(s.answers[id]);
  s.answers.erase(id);
  if (const json::value* e = answer.if_contains("error")) {
    s.error = method + ": " + json::serialize(*e);
    return std::nullopt;
  }
  const json::value* result = answer.if_contains("result");
  return result != nullptr && result->is_object() ? result->as_object() : json::object{};
}

std::optional<json::value> DevToolsSession::evaluate(const std::string& expression) {
  auto result = call("Runtime.evaluate",
                     {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (!result) return std::nullopt;
  if (const json::value* thrown = result->if_contains("exceptionDetails")) {
    impl_->error = "Runtime.evaluate threw: " + json::serialize(*thrown);
    return std::nullopt;
  }
  const json::value* remote = result->if_contains("result");
  if (remote == nullptr || !remote->is_object()) return json::value();
  const json::value* value = remote->as_object().if_contains("value");
  return value != nullptr ? *value : json::value();
}

bool DevToolsSession::screenshot(const std::filesystem::path& path) {
  auto metrics = call("Page.getLayoutMetrics");
  if (!metrics) return false;
  const json::value* size = metrics->if_contains("cssContentSize");
  if (size == nullptr) size = metrics->if_contains("contentSize");
  if (size == nullptr || !size->is_object()) {
    impl_->error = "Page.getLayoutMetrics: no content size in " + json::serialize(*metrics);
    return false;
  }
  const double width = size->at("width").to_number<double>();
  const double height = size->at("height").to_number<double>();
  auto shot =
      call("Page.captureScreenshot",
           {{"format", "png"},
            {"captureBeyondViewport", true},
            {"clip", {{"x", 0}, {"y", 0}, {"width", width}, {"height", height}, {"scale", 1}}}},
           std::chrono::seconds(60));
  if (!shot) return false;
  const json::value* data = shot->if_contains("data");
  if (data == nullptr || !data->is_string()) {
    impl_->error = "Page.captureScreenshot: no data";
    return false;
  }
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string png = devtools_base64_decode(data->as_string());
  out.write(png.data(), static_cast<std::streamsize>(png.size()));
  out.close();
  if (!out) {
    impl_->error = "cannot write " + path.string();
    return false;
  }
  return true;
}

int devtools_active_port(const std::filesystem::path& user_data_dir,
                         std::chrono::milliseconds timeout) {
  int port = 0;
  wait_until(
      [&] {
        std::ifstream in(user_data_dir / "DevToolsActivePort");
        std::string line;
        // Written whole once the port is open; a partial read is retried.
        if (!std::getline(in, line) || line.empty()) return false;
        try {
          port = std::stoi(line);
        } catch (const std::exception&) {
          return false;
        }
        return port > 0;
      },
      timeout, std::chrono::milliseconds(50));
  return port;
}

std::string devtools_page_url(int port, std::chrono::milliseconds timeout) {
  std::string url;
  wait_until(
      [&] {
        const HttpReply reply = http_get("127.0.0.1:" + std::to_string(port), "/json/list");
        if (reply.status != 200) return false;
        boost::system::error_code ec;
        const json::value targets = json::parse(reply.body, ec);
        if (ec || !targets.is_array()) return false;
        for (const json::value& t : targets.as_array()) {
          if (!t.is_object()) continue;
          const json::value* type = t.as_object().if_contains("type");
          const json::value* id = t.as_object().if_contains("id");
          // Built from the id: Chromium writes its webSocketDebuggerUrl
          // with the request's Host header, which our client sends without
          // the port.
          if (type != nullptr && type->is_string() && type->as_string() == "page" &&
              id != nullptr && id->is_string()) {
            url = "ws://127.0.0.1:" + std::to_string(port) + "/devtools/page/" +
                  std::string(id->as_string());
            return true;
          }
        }
        return false;
      },
      timeout, std::chrono::milliseconds(100));
  return url;
}

}  // namespace blockhealth::test
