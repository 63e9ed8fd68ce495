#include "server/long_poll.h"

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>

#include "core/config/duration.h"

namespace blockhealth::server {

Result<std::chrono::milliseconds> parse_wait(const RouteParams& p) {
  auto text = p.get("wait");
  if (!text) return kDefaultWait;
  auto d = parse_duration(*text);
  if (!d) return fail("wait: " + d.error().message);
  return std::min(*d, kMaxWait);
}

Result<std::optional<std::uint64_t>> parse_uint_param(const RouteParams& p, std::string_view key) {
  auto text = p.get(key);
  if (!text) return std::optional<std::uint64_t>();
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return fail(std::string(key) + ": expected a non-negative integer, got '" +
                std::string(text->substr(0, 64)) + "'");
  }
  return std::optional<std::uint64_t>(n);
}

Result<std::optional<std::size_t>> parse_limit_param(const RouteParams& p, std::size_t most) {
  auto text = p.get("limit");
  if (!text) return std::optional<std::size_t>();
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n == 0 || n > most) {
    return fail("limit: expected an integer from 1 to " + std::to_string(most) + ", got '" +
                std::string(text->substr(0, 64)) + "'");
  }
  return std::optional<std::size_t>(n);
}

void long_poll(ServerContext& ctx, const std::string& key, std::uint64_t after,
               std::chrono::milliseconds wait, std::function<Response()> answer,
               Responder respond) {
  // Shared by the notifier's callback and the timer; whichever comes first
  // answers, the other finds `done` set.
  struct Watch {
    explicit Watch(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> token{0};
    std::function<Response()> answer;
    Responder respond;
  };
  if (ctx.watches.fetch_add(1) >= ctx.max_watches) {
    ctx.watches.fetch_sub(1);
    Request head;
    head.version(11);
    Response res =
        error_response(head, http::status::service_unavailable,
                       "too many watches: server.max_watches (" + std::to_string(ctx.max_watches) +
                           ") long polls are waiting; retry later or without ?index=");
    res.set(http::field::retry_after, "1");
    respond(std::move(res));
    return;
  }
  auto watch = std::make_shared<Watch>(ctx.io);
  watch->answer = std::move(answer);
  watch->respond = std::move(respond);
  ChangeNotifier& notifier = ctx.engine.notifier();
  watch->timer.expires_after(wait);
  std::atomic<std::size_t>& watches = ctx.watches;
  watch->timer.async_wait([watch, &notifier, &watches](const boost::system::error_code& ec) {
    if (ec || watch->done.exchange(true)) return;
    watches.fetch_sub(1);
    notifier.cancel(watch->token.load());
    watch->respond(watch->answer());
  });
  const std::uint64_t token = notifier.wait(key, after, [watch, &watches] {
    if (watch->done.exchange(true)) return;
    watches.fetch_sub(1);
    // The timer is not thread-safe: cancel it on its own executor.
    boost::asio::post(watch->timer.get_executor(), [watch] { watch->timer.cancel(); });
    watch->respond(watch->answer());
  });
  watch->token.store(token);
}

}  // namespace blockhealth::server
