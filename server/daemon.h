// Daemon: blockhealthd's running state: the engine, the HTTP server, the
// signals, and the reload procedure that ties config files to the engine.
#ifndef BLOCKHEALTH_SERVER_DAEMON_H
#define BLOCKHEALTH_SERVER_DAEMON_H

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace blockhealth::server {

struct DaemonOptions {
  std::filesystem::path config_path;
  // Searched before the config's plugins.dirs (the installed built-ins).
  std::vector<std::filesystem::path> builtin_plugin_dirs;
  // Replaces server.listen from the config (e.g. "127.0.0.1:0").
  std::optional<std::string> listen;
  // Written with "host:port\n" once listening (useful with port 0).
  std::optional<std::filesystem::path> port_file;
  // The same for the aios.mgmt_listen listener, when configured.
  std::optional<std::filesystem::path> mgmt_port_file;
};

// Runs the daemon until SIGTERM or SIGINT; SIGHUP reloads. Returns the
// process exit code: 0 after a clean shutdown, 1 when it cannot start (bad
// config, unreadable token file, address in use), with the reason logged.
int run_daemon(const DaemonOptions& options);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_DAEMON_H
