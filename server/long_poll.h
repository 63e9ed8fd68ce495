// Long polling without a thread per watcher: a request that waits for a
// ChangeNotifier key to move is a timer and a callback.
#ifndef BLOCKHEALTH_SERVER_LONG_POLL_H
#define BLOCKHEALTH_SERVER_LONG_POLL_H

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "server/router.h"
#include "server/server_context.h"

namespace blockhealth::server {

inline constexpr std::chrono::milliseconds kDefaultWait{30'000};
inline constexpr std::chrono::milliseconds kMaxWait{300'000};

// Reads ?wait= (a duration like 30s; default 30s; capped at 5m).
Result<std::chrono::milliseconds> parse_wait(const RouteParams& p);
// Reads an unsigned integer query parameter; nullopt when absent.
Result<std::optional<std::uint64_t>> parse_uint_param(const RouteParams& p, std::string_view key);
// Reads ?limit=N, 1..`most`, for every list that pages; nullopt when absent;
// else "limit: expected an integer from 1 to <most>, got '<text>'".
Result<std::optional<std::size_t>> parse_limit_param(const RouteParams& p, std::size_t most);

// Responds with answer() as soon as `key` in ctx.engine.notifier() moves
// past `after`, or when `wait` has passed (then with answer() as it is).
// answer() may run on the engine thread or an I/O thread; it must be quick.
void long_poll(ServerContext& ctx, const std::string& key, std::uint64_t after,
               std::chrono::milliseconds wait, std::function<Response()> answer, Responder respond);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_LONG_POLL_H
