#include "bench/instance_farm.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace blockhealth::bench {
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

std::string raw_response(const std::string& content_type, const std::string& body, int status) {
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
         "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string build_metrics_page() {
  const char* families[][3] = {
      {"DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz)."},
      {"DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock frequency (in MHz)."},
      {"DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C)."},
      {"DCGM_FI_DEV_MEMORY_TEMP", "gauge", "Memory temperature (in C)."},
      {"DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W)."},
      {"DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %)."},
      {"DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory utilization (in %)."},
      {"DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB)."},
      {"DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB)."},
      {"DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered."},
      {"DCGM_FI_DEV_THERMAL_VIOLATION", "counter",
       "Throttling duration due to thermal constraints (in us)."},
      {"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter",
       "Total energy consumption since boot (in mJ)."},
  };
  std::string page;
  int n = 0;
  for (const auto& f : families) {
    page += std::string("# HELP ") + f[0] + " " + f[2] + "\n# TYPE " + f[0] + " " + f[1] + "\n";
    for (int gpu = 0; gpu < 2; ++gpu) {
      page += std::string(f[0]) + "{gpu=\"" + std::to_string(gpu) +
              "\",UUID=\"GPU-3f1c2a9e-7d41-4b8e-9c55-1a2b3c4d5e6" + std::to_string(gpu) +
              "\",pci_bus_id=\"00000000:18:00.0\",device=\"nvidia" + std::to_string(gpu) +
              "\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"gpu-node-07\",container=\"model\","
              "namespace=\"aios\",pod=\"in-vkkv\"} " +
              std::to_string(60 + (n++ % 30)) + "\n";
    }
  }
  return page;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const std::string& health, const std::string& metrics,
          const std::string& missing, std::atomic<std::uint64_t>& requests)
      : socket_(std::move(socket)),
        health_(health),
        metrics_(metrics),
        missing_(missing),
        requests_(requests) {}

  void read() {
    parser_.emplace();
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                       if (!ec) self->answer();
                     });
  }

 private:
  void answer() {
    const auto target = parser_->get().target();
    const std::string& bytes = target == "/health"    ? health_
                               : target == "/metrics" ? metrics_
                                                      : missing_;
    requests_.fetch_add(1, std::memory_order_relaxed);
    net::async_write(socket_, net::buffer(bytes),
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                       if (!ec) self->read();
                     });
  }

  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  const std::string& health_;
  const std::string& metrics_;
  const std::string& missing_;
  std::atomic<std::uint64_t>& requests_;
};

}  // namespace

struct InstanceFarm::Impl {
  explicit Impl(int threads) : io(threads) {}
  net::io_context io;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> requests{0};
  const std::string health = raw_response("application/json", R"({"status":"healthy"})", 200);
  const std::string metrics = raw_response("text/plain; version=0.0.4", metrics_page(), 200);
  const std::string missing = raw_response("text/plain", "not found", 404);

  void accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([this, &acceptor](const boost::system::error_code& ec, tcp::socket s) {
      if (ec) return;
      std::make_shared<Session>(std::move(s), health, metrics, missing, requests)->read();
      accept(acceptor);
    });
  }
};

const std::string& InstanceFarm::metrics_page() {
  static const std::string page = build_metrics_page();
  return page;
}

InstanceFarm::InstanceFarm(std::size_t count, int threads)
    : impl_(std::make_unique<Impl>(std::max(1, threads))) {
  for (std::size_t i = 0; i < count; ++i) {
    auto acceptor = std::make_unique<tcp::acceptor>(
        impl_->io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    ports_.push_back(acceptor->local_endpoint().port());
    impl_->accept(*acceptor);
    impl_->acceptors.push_back(std::move(acceptor));
  }
  for (int i = 0; i < std::max(1, threads); ++i) {
    impl_->threads.emplace_back([io = &impl_->io] { io->run(); });
  }
}

InstanceFarm::~InstanceFarm() {
  impl_->io.stop();
  for (std::thread& t : impl_->threads) t.join();
}

std::uint64_t InstanceFarm::requests() const {
  return impl_->requests.load();
}

}  // namespace blockhealth::bench
