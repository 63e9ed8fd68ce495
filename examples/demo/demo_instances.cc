// blockhealth-demo: three live instances of one AI-serving block, for the
// README's demo (examples/blockhealth.yaml points the daemon at them).
//
//   in-serve  http://127.0.0.1:<base+1>  /health healthy; /metrics: requests
//             served (end_to_end_count grows), queue_length, last request time
//   in-vkkv   http://127.0.0.1:<base+2>  /metrics: a real H100 replaying its
//             burn trace (33 C -> 68 C and back, T.Limit margin 54 -> 20)
//   in-logs   http://127.0.0.1:<base+3>  /health healthy; writes <log-dir>/
//             in-logs/model.log, with a CUDA error every --error-every seconds
//
// Usage: blockhealth-demo [--base-port 18100] [--data-dir DIR] [--log-dir DIR]
//                         [--error-every 90]
// Runs until SIGINT/SIGTERM. Each server answers one connection per thread:
// fine for a demo, not a pattern for production code.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "burn_trace.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace fs = std::filesystem;
using blockhealth::demo::TraceRow;

std::atomic<bool> g_stop{false};

struct Reply {
  http::status status = http::status::ok;
  std::string content_type = "application/json";
  std::string body;
};
// Called on the connection's thread with the request's target and body.
using Handler = std::function<Reply(const std::string& target, const std::string& body)>;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void serve_connection(tcp::socket socket, const Handler& handler) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (!g_stop) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) break;
    const Reply reply = handler(std::string(req.target()), req.body());
    http::response<http::string_body> res{reply.status, req.version()};
    res.set(http::field::content_type, reply.content_type);
    res.keep_alive(req.keep_alive());
    res.body() = reply.body;
    res.prepare_payload();
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

// Accepts on 127.0.0.1:port until stopped; one thread per connection.
std::thread serve(unsigned short port, Handler handler) {
  return std::thread([port, handler = std::move(handler)] {
    net::io_context io;
    tcp::acceptor acceptor(io);
    beast::error_code ec;
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    acceptor.open(endpoint.protocol(), ec);
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      std::cerr << "demo: cannot listen on 127.0.0.1:" << port << ": " << ec.message() << "\n";
      g_stop = true;
      return;
    }
    acceptor.non_blocking(true);
    while (!g_stop) {
      tcp::socket socket(io);
      acceptor.accept(socket, ec);
      if (ec == net::error::would_block) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      if (ec) continue;
      socket.non_blocking(false);
      std::thread(serve_connection, std::move(socket), std::cref(handler)).detach();
    }
  });
}

Reply not_found() {
  return {http::status::not_found, "application/json", R"({"error":"not found"})"};
}

// in-serve: a model server taking requests at a steady pace.
Handler model_server_handler() {
  auto started = std::make_shared<double>(now_seconds());
  return [started](const std::string& target, const std::string&) -> Reply {
    if (target == "/health")
      return {http::status::ok, "application/json", R"({"status": "healthy"})"};
    if (target != "/metrics") return not_found();
    const double now = now_seconds();
    const long served = static_cast<long>((now - *started) * 3);  // ~3 requests a second
    std::string body =
        "# HELP end_to_end_count Requests served.\n# TYPE end_to_end_count counter\n"
        "end_to_end_count " +
        std::to_string(served) +
        "\n"
        "# HELP queue_length Requests waiting.\n# TYPE queue_length gauge\n"
        "queue_length " +
        std::to_string(served % 3) +
        "\n"
        "# HELP last_request_timestamp_seconds When the last request was served.\n"
        "# TYPE last_request_timestamp_seconds gauge\n"
        "last_request_timestamp_seconds " +
        std::to_string(now - 0.2) + "\n";
    return {http::status::ok, "text/plain; version=0.0.4", std::move(body)};
  };
}

// in-vkkv: one H100 replaying the burn trace, a row a second, in a loop.
Handler gpu_handler(std::shared_ptr<const std::vector<TraceRow>> trace, int offset) {
  auto started = std::make_shared<double>(now_seconds());
  return [trace, offset, started](const std::string& target, const std::string&) -> Reply {
    if (target == "/health")
      return {http::status::ok, "application/json", R"({"status": "healthy"})"};
    if (target != "/metrics") return not_found();
    const auto row =
        (static_cast<std::size_t>(now_seconds() - *started) + static_cast<std::size_t>(offset)) %
        trace->size();
    return {http::status::ok, "text/plain; version=0.0.4",
            blockhealth::demo::dcgm_exposition((*trace)[row], "in-vkkv")};
  };
}

// actions: a chat webhook (/hooks/chat) and an AIOS failure-policy server
// (/executeFailurePolicy) that print what blockhealthd sends them.
Handler actions_handler() {
  auto mu = std::make_shared<std::mutex>();
  return [mu](const std::string& target, const std::string& body) -> Reply {
    if (target != "/hooks/chat" && target != "/executeFailurePolicy") return not_found();
    {
      std::lock_guard lock(*mu);
      std::cout << "demo actions: POST " << target << " " << body << std::endl;
    }
    return {http::status::ok, "application/json", R"({"success": true})"};
  };
}

std::string log_time() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

// in-logs: appends a model server's log, with a CUDA error now and then.
void write_logs(const fs::path& file, int error_every_s) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::app);
  std::mt19937 rng(7);
  int second = 0;
  while (!g_stop) {
    const int task = static_cast<int>(rng() % 0xFFFF);
    out << log_time() << " INFO  [in-logs] task " << std::hex << task << std::dec << " done in "
        << 380 + rng() % 60 << "ms tokens=" << 480 + rng() % 40 << "\n";
    if (second % error_every_s == 6) {
      out << log_time()
          << " ERROR [in-logs] CUDA error: an illegal memory access was encountered "
             "(cudaErrorIllegalAddress) at attention.cu:311\n";
    }
    out.flush();
    ++second;
    for (int i = 0; i < 10 && !g_stop; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short base = 18100;
  fs::path data_dir = fs::path(argv[0]).parent_path() / "demo-data";
  fs::path log_dir = "/tmp/blockhealth-demo";
  int error_every = 90;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--base-port")
      base = static_cast<unsigned short>(std::stoi(argv[i + 1]));
    else if (flag == "--data-dir")
      data_dir = argv[i + 1];
    else if (flag == "--log-dir")
      log_dir = argv[i + 1];
    else if (flag == "--error-every")
      error_every = std::max(10, std::stoi(argv[i + 1]));
    else {
      std::cerr << "usage: blockhealth-demo [--base-port N] [--data-dir DIR] [--log-dir DIR] "
                   "[--error-every SECONDS]\n";
      return 2;
    }
  }
  auto trace = blockhealth::demo::load_burn_trace(data_dir / "nvidia-smi-h100-burn-trace.csv");
  if (!trace) return 1;
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });

  auto shared_trace = std::make_shared<const std::vector<TraceRow>>(std::move(*trace));
  std::vector<std::thread> threads;
  threads.push_back(serve(base + 1, model_server_handler()));
  threads.push_back(serve(base + 2, gpu_handler(shared_trace, 8)));  // 8 s before the burn starts
  threads.push_back(serve(base + 3, [](const std::string& target, const std::string&) -> Reply {
    if (target == "/health")
      return {http::status::ok, "application/json", R"({"status": "healthy"})"};
    return not_found();
  }));
  threads.push_back(serve(base + 4, actions_handler()));
  threads.emplace_back(write_logs, log_dir / "in-logs" / "model.log", error_every);
  std::cout << "demo instances: in-serve :" << base + 1 << ", in-vkkv :" << base + 2
            << ", in-logs :" << base + 3 << " (log " << (log_dir / "in-logs" / "model.log").string()
            << "), actions sink :" << base + 4 << std::endl;
  for (std::thread& t : threads) t.join();
  return 0;
}
