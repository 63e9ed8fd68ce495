#include "tests/support/raw_connection.h"

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>

namespace blockhealth::test {
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

struct RawConnection::State {
  net::io_context io;
  beast::tcp_stream stream{io};
  bool connected = false;
};

RawConnection::RawConnection(const std::string& address) : state_(std::make_unique<State>()) {
  const auto colon = address.rfind(':');
  try {
    tcp::resolver resolver(state_->io);
    state_->stream.expires_after(std::chrono::seconds(10));
    state_->stream.connect(resolver.resolve(address.substr(0, colon), address.substr(colon + 1)));
    state_->connected = true;
  } catch (const std::exception& e) {
    error_ = std::string("connect to ") + address + ": " + e.what();
  }
}

RawConnection::~RawConnection() {
  beast::error_code ec;
  state_->stream.socket().close(ec);
}

bool RawConnection::connected() const {
  return state_->connected;
}

bool RawConnection::send(const std::string& bytes) {
  if (!state_->connected) return false;
  beast::error_code ec;
  state_->stream.expires_after(std::chrono::seconds(10));
  net::write(state_->stream, net::buffer(bytes), ec);
  if (ec) error_ = "write: " + ec.message();
  return !ec;
}

RawConnection::ReadResult RawConnection::read_until_closed(std::chrono::milliseconds deadline) {
  ReadResult result;
  if (!state_->connected) return result;
  // A tcp_stream's expiry applies to asynchronous reads only: the deadline
  // is kept here, with poll() before each read.
  const auto until = std::chrono::steady_clock::now() + deadline;
  const int fd = state_->stream.socket().native_handle();
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      result.end = End::kTimedOut;
      return result;
    }
    beast::error_code ec;
    const std::size_t n = state_->stream.read_some(net::buffer(buffer), ec);
    result.bytes.append(buffer, n);
    if (!ec) continue;
    if (ec == net::error::eof || ec == net::error::connection_reset) {
      result.end = End::kClosedByPeer;
    } else if (ec == beast::error::timeout) {
      result.end = End::kTimedOut;
    } else {
      result.end = End::kError;
      error_ = "read: " + ec.message();
    }
    return result;
  }
}

}  // namespace blockhealth::test
