#include "tests/support/webhook_receiver.h"

#include <gtest/gtest.h>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <set>
#include <thread>

#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string ReceivedRequest::header(const std::string& name) const {
  const auto it = headers.find(boost::algorithm::to_lower_copy(name));
  return it == headers.end() ? "" : it->second;
}

boost::json::value ReceivedRequest::json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) ADD_FAILURE() << "not JSON (" << ec.message() << "): " << body;
  return v;
}

ReceiverReply ReceiverReply::answer(int status, std::string body) {
  ReceiverReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ReceiverReply ReceiverReply::hang() {
  ReceiverReply r;
  r.kind = Kind::kHang;
  return r;
}

struct WebhookReceiver::Shared {
  std::mutex mu;
  std::deque<ReceiverReply> script;                         // GUARDED_BY(mu)
  ReceiverReply fallback = ReceiverReply::answer(200, "");  // GUARDED_BY(mu)
  std::vector<ReceivedRequest> requests;                    // GUARDED_BY(mu)

  ReceiverReply record(ReceivedRequest r) {
    std::lock_guard lock(mu);
    requests.push_back(std::move(r));
    if (script.empty()) return fallback;
    ReceiverReply reply = std::move(script.front());
    script.pop_front();
    return reply;
  }
};

namespace {

class ReceiverSession;

}  // namespace

struct WebhookReceiver::Server {
  explicit Server(std::shared_ptr<Shared> s) : shared(std::move(s)) {}
  std::shared_ptr<Shared> shared;
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::set<std::shared_ptr<ReceiverSession>> sessions;  // io thread only, then cleared after join

  void accept();
};

namespace {

class ReceiverSession : public std::enable_shared_from_this<ReceiverSession> {
 public:
  ReceiverSession(WebhookReceiver::Server& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)) {}

  void read() {
    request_ = {};
    http::async_read(socket_, buffer_, request_,
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                       if (ec) return self->close();
                       self->respond();
                     });
  }

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    server_.sessions.erase(shared_from_this());
  }

 private:
  void respond() {
    ReceivedRequest r;
    r.method = std::string(request_.method_string());
    r.target = std::string(request_.target());
    for (const auto& field : request_) {
      r.headers[boost::algorithm::to_lower_copy(std::string(field.name_string()))] =
          std::string(field.value());
    }
    r.body = request_.body();
    const ReceiverReply reply = server_.shared->record(std::move(r));
    if (reply.kind == ReceiverReply::Kind::kHang) return;  // kept in sessions until stop
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), 11);
    res->set(http::field::content_type, "text/plain");
    res->body() = reply.body;
    res->keep_alive(request_.keep_alive());
    res->prepare_payload();
    http::async_write(
        socket_, *res,
        [self = shared_from_this(), res](const boost::system::error_code& ec, std::size_t) {
          if (ec || !res->keep_alive()) return self->close();
          self->read();
        });
  }

  WebhookReceiver::Server& server_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
};

}  // namespace

void WebhookReceiver::Server::accept() {
  acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec) return;  // stopped
    auto session = std::make_shared<ReceiverSession>(*this, std::move(socket));
    sessions.insert(session);
    session->read();
    accept();
  });
}

WebhookReceiver::WebhookReceiver() : WebhookReceiver(0) {}

WebhookReceiver::WebhookReceiver(std::uint16_t port)
    : shared_(std::make_shared<Shared>()), port_(port) {
  start();
}

WebhookReceiver::~WebhookReceiver() {
  stop();
}

void WebhookReceiver::start() {
  std::lock_guard lock(mu_);
  if (server_) return;
  auto server = std::make_unique<Server>(shared_);
  const tcp::endpoint endpoint(net::ip::address_v4::loopback(), port_);
  server->acceptor.open(endpoint.protocol());
  server->acceptor.set_option(net::socket_base::reuse_address(true));
  server->acceptor.bind(endpoint);  // throws when the port is taken: a test setup error
  server->acceptor.listen();
  port_ = server->acceptor.local_endpoint().port();
  server->accept();
  server->thread = std::thread([s = server.get()] { s->io.run(); });
  server_ = std::move(server);
}

void WebhookReceiver::stop() {
  std::lock_guard lock(mu_);
  if (!server_) return;
  server_->io.stop();
  if (server_->thread.joinable()) server_->thread.join();
  for (const auto& session : std::set<std::shared_ptr<ReceiverSession>>(server_->sessions)) {
    session->close();
  }
  boost::system::error_code ignored;
  server_->acceptor.close(ignored);
  server_.reset();
}

bool WebhookReceiver::running() const {
  std::lock_guard lock(mu_);
  return server_ != nullptr;
}

void WebhookReceiver::script(std::vector<ReceiverReply> replies) {
  std::lock_guard lock(shared_->mu);
  for (ReceiverReply& r : replies) shared_->script.push_back(std::move(r));
}

void WebhookReceiver::set_fallback(ReceiverReply reply) {
  std::lock_guard lock(shared_->mu);
  shared_->fallback = std::move(reply);
}

std::string WebhookReceiver::url(const std::string& target) const {
  return "http://127.0.0.1:" + std::to_string(port_) + target;
}

std::vector<ReceivedRequest> WebhookReceiver::requests() const {
  std::lock_guard lock(shared_->mu);
  return shared_->requests;
}

std::size_t WebhookReceiver::count() const {
  std::lock_guard lock(shared_->mu);
  return shared_->requests.size();
}

bool WebhookReceiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return count() >= n; }, timeout);
}

}  // namespace blockhealth::test
