// RawConnection: one TCP connection to a server on loopback, for tests that
// send partial, slow or malformed HTTP and need to know whether the server
// closed the connection (as opposed to the client giving up waiting).
#ifndef BLOCKHEALTH_TESTS_SUPPORT_RAW_CONNECTION_H
#define BLOCKHEALTH_TESTS_SUPPORT_RAW_CONNECTION_H

#include <chrono>
#include <memory>
#include <string>

namespace blockhealth::test {

class RawConnection {
 public:
  // Connects to `address` ("127.0.0.1:1234"); connected() is false (and
  // error() says why) when that fails.
  explicit RawConnection(const std::string& address);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const;
  const std::string& error() const { return error_; }

  // Writes all of `bytes`; false when the write fails (e.g. the peer reset).
  bool send(const std::string& bytes);

  enum class End {
    kClosedByPeer,  // orderly close (EOF) or a reset by the server
    kTimedOut,      // the server kept the connection open past `deadline`
    kError,         // anything else; see error()
  };
  struct ReadResult {
    End end = End::kError;
    std::string bytes;  // everything received before the end
  };
  // Reads until the peer closes the connection or `deadline` passes. The
  // deadline only bounds a hung test; it is not a timing assertion.
  ReadResult read_until_closed(std::chrono::milliseconds deadline = std::chrono::seconds(20));

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::string error_;
};

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_RAW_CONNECTION_H
