#include "server/systemd_notify.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace blockhealth::server {

SystemdNotifier::SystemdNotifier() {
  const char* socket_path = std::getenv("NOTIFY_SOCKET");
  if (socket_path != nullptr && socket_path[0] != '\0') {
    std::string path(socket_path);
    if (path[0] == '@') path[0] = '\0';
    if ((path[0] == '/' || path[0] == '\0') && path.size() < sizeof(sockaddr_un::sun_path)) {
      fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      address_ = std::move(path);
    } else {
      spdlog::warn("NOTIFY_SOCKET '{}' is not a socket path; not notifying systemd", socket_path);
    }
  }
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  const bool for_me = pid == nullptr || std::strtol(pid, nullptr, 10) == ::getpid();
  if (fd_ >= 0 && usec != nullptr && for_me) {
    const long long value = std::strtoll(usec, nullptr, 10);
    if (value > 0) watchdog_ = std::chrono::microseconds(value / 2);
  }
}

SystemdNotifier::~SystemdNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

bool SystemdNotifier::notify(std::string_view state) {
  if (fd_ < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, address_.data(), address_.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size() +
                                             (address_[0] == '\0' ? 0 : 1));
  const ssize_t sent = ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&addr), length);
  if (sent == static_cast<ssize_t>(state.size())) return true;
  if (!warned_.exchange(true)) {
    spdlog::warn("cannot notify systemd at NOTIFY_SOCKET: {}", std::strerror(errno));
  }
  return false;
}

}  // namespace blockhealth::server
