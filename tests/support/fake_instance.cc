#include "tests/support/fake_instance.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <set>
#include <sstream>
#include <thread>

namespace blockhealth::test {
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

FakeResponse FakeResponse::answer(int status, std::string body, std::string content_type) {
  FakeResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}
FakeResponse FakeResponse::hang() {
  FakeResponse r;
  r.action = Action::kHang;
  return r;
}
FakeResponse FakeResponse::reset() {
  FakeResponse r;
  r.action = Action::kReset;
  return r;
}
FakeResponse FakeResponse::close() {
  FakeResponse r;
  r.action = Action::kClose;
  return r;
}
FakeResponse FakeResponse::raw_bytes(std::string bytes) {
  FakeResponse r;
  r.action = Action::kRaw;
  r.raw = std::move(bytes);
  return r;
}
FakeResponse FakeResponse::stream(std::uint64_t bytes, bool chunked) {
  FakeResponse r;
  r.action = Action::kStream;
  r.stream_bytes = bytes;
  r.chunked = chunked;
  r.content_type = "text/plain";
  return r;
}

namespace {

constexpr std::size_t kPiece = 64 * 1024;

class FakeSession;

}  // namespace

struct FakeInstance::Impl {
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  mutable std::mutex mu;
  std::map<std::string, FakeResponse> responses;  // GUARDED_BY(mu)
  std::map<std::string, std::size_t> requests;    // GUARDED_BY(mu)
  std::size_t connections = 0;                    // GUARDED_BY(mu)
  std::set<std::shared_ptr<FakeSession>> hung;    // io thread only
  bool stopped = false;                           // GUARDED_BY(mu)

  void accept();
  FakeResponse response_for(const std::string& path);
};

namespace {

class FakeSession : public std::enable_shared_from_this<FakeSession> {
 public:
  FakeSession(FakeInstance::Impl& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()) {}

  void read() {
    request_ = {};
    http::async_read(socket_, buffer_, request_,
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                       if (!ec) self->respond();
                     });
  }

 private:
  void respond() {
    response_ = server_.response_for(std::string(request_.target()));
    switch (response_.action) {
      case FakeResponse::Action::kHang:
        server_.hung.insert(shared_from_this());
        return;
      case FakeResponse::Action::kReset: {
        boost::system::error_code ignored;
        socket_.set_option(net::socket_base::linger(true, 0), ignored);
        socket_.close(ignored);
        return;
      }
      case FakeResponse::Action::kClose:
        close();
        return;
      case FakeResponse::Action::kRaw:
        write_then_close(std::make_shared<std::string>(response_.raw));
        return;
      case FakeResponse::Action::kStream:
        start_stream();
        return;
      case FakeResponse::Action::kAnswer:
        break;
    }
    if (response_.delay.count() > 0) {
      timer_.expires_after(response_.delay);
      timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) self->answer();
      });
      return;
    }
    answer();
  }

  void answer() {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response_.status), 11);
    res->set(http::field::content_type, response_.content_type);
    res->body() = response_.body;
    res->keep_alive(response_.keep_alive && request_.keep_alive());
    res->prepare_payload();
    http::async_write(
        socket_, *res,
        [self = shared_from_this(), res](const boost::system::error_code& ec, std::size_t) {
          if (ec) return;
          if (res->keep_alive() && !self->response_.close_after) {
            self->read();
          } else {
            self->close();
          }
        });
  }

  void write_then_close(std::shared_ptr<std::string> bytes) {
    net::async_write(socket_, net::buffer(*bytes),
                     [self = shared_from_this(), bytes](const boost::system::error_code&,
                                                        std::size_t) { self->close(); });
  }

  void start_stream() {
    std::ostringstream head;
    head << "HTTP/1.1 200 OK\r\nContent-Type: " << response_.content_type << "\r\n";
    if (response_.chunked) {
      head << "Transfer-Encoding: chunked\r\n\r\n";
    } else {
      head << "Content-Length: " << response_.stream_bytes << "\r\n\r\n";
    }
    left_ = response_.stream_bytes;
    auto bytes = std::make_shared<std::string>(head.str());
    net::async_write(
        socket_, net::buffer(*bytes),
        [self = shared_from_this(), bytes](const boost::system::error_code& ec, std::size_t) {
          if (!ec) self->stream_piece();
        });
  }

  void stream_piece() {
    auto bytes = std::make_shared<std::string>();
    if (left_ == 0) {
      if (!response_.chunked) return close();
      *bytes = "0\r\n\r\n";
      return write_then_close(bytes);
    }
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, kPiece));
    left_ -= n;
    if (response_.chunked) {
      std::ostringstream size;
      size << std::hex << n << "\r\n";
      *bytes = size.str() + std::string(n, 'x') + "\r\n";
    } else {
      *bytes = std::string(n, 'x');
    }
    net::async_write(
        socket_, net::buffer(*bytes),
        [self = shared_from_this(), bytes](const boost::system::error_code& ec, std::size_t) {
          if (!ec) self->stream_piece();  // a client that gave up ends it
        });
  }

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  FakeInstance::Impl& server_;
  tcp::socket socket_;
  net::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  FakeResponse response_;
  std::uint64_t left_ = 0;
};

}  // namespace

void FakeInstance::Impl::accept() {
  acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec) return;  // stopped
    {
      std::lock_guard lock(mu);
      ++connections;
    }
    std::make_shared<FakeSession>(*this, std::move(socket))->read();
    accept();
  });
}

FakeResponse FakeInstance::Impl::response_for(const std::string& path) {
  std::lock_guard lock(mu);
  ++requests[path];
  const auto it = responses.find(path);
  if (it != responses.end()) return it->second;
  return FakeResponse::answer(404, "no response set for " + path, "text/plain");
}

FakeInstance::FakeInstance() : impl_(std::make_shared<Impl>()) {
  const tcp::endpoint endpoint(net::ip::address_v4::loopback(), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FakeInstance::~FakeInstance() {
  stop();
}

void FakeInstance::stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->hung.clear();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

void FakeInstance::set(const std::string& path, FakeResponse response) {
  std::lock_guard lock(impl_->mu);
  impl_->responses[path] = std::move(response);
}

std::string FakeInstance::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

std::string FakeInstance::url(const std::string& path) const {
  return "http://" + address() + path;
}

std::size_t FakeInstance::requests(const std::string& path) const {
  std::lock_guard lock(impl_->mu);
  const auto it = impl_->requests.find(path);
  return it == impl_->requests.end() ? 0 : it->second;
}

std::size_t FakeInstance::connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections;
}

std::uint16_t FakeInstance::closed_port() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
  const std::uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

}  // namespace blockhealth::test
