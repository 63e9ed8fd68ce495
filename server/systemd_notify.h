// The systemd notification protocol (sd_notify(3)), spoken without
// libsystemd: datagrams to $NOTIFY_SOCKET. Readiness (Type=notify), reloads,
// stopping, a status line, and the watchdog (WatchdogSec=).
#ifndef BLOCKHEALTH_SERVER_SYSTEMD_NOTIFY_H
#define BLOCKHEALTH_SERVER_SYSTEMD_NOTIFY_H

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace blockhealth::server {

class SystemdNotifier {
 public:
  // Reads $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace)
  // and $WATCHDOG_USEC/$WATCHDOG_PID once. Without NOTIFY_SOCKET every call
  // does nothing.
  SystemdNotifier();
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  bool enabled() const { return fd_ >= 0; }
  // Sends `state` ("READY=1\nSTATUS=..."); false when it could not be sent
  // (logged once). Never blocks. [thread-safe]
  bool notify(std::string_view state);
  // The interval at which to send WATCHDOG=1 (half of WATCHDOG_USEC), when
  // systemd asks this process for a watchdog.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

 private:
  int fd_ = -1;
  std::string address_;  // sockaddr_un path; a leading '\0' for abstract
  std::optional<std::chrono::microseconds> watchdog_;
  std::atomic<bool> warned_{false};
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_SYSTEMD_NOTIFY_H
