#include "server/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "server/flood_guard_sink.h"

namespace blockhealth::server {
namespace {

// %j: the message as a JSON string literal (quoted, escaped).
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string quoted =
        boost::json::serialize(boost::json::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

Result<void> setup_logging(std::string_view format, std::string_view level) {
  const spdlog::level::level_enum lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return fail("unknown log level '" + std::string(level) +
                "'; use trace, debug, info, warn or error");
  }
  // Every message goes through the flood guard (flood_guard_sink.h).
  auto guard = std::make_shared<FloodGuardSink>(std::make_shared<spdlog::sinks::stderr_sink_st>());
  auto logger = std::make_shared<spdlog::logger>("blockhealthd", std::move(guard));
  spdlog::register_logger(logger);
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%j})");
    logger->set_formatter(std::move(formatter));
  } else if (format == "text") {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  } else {
    spdlog::drop("blockhealthd");
    return fail("unknown log format '" + std::string(format) + "'; use text or json");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return {};
}

}  // namespace blockhealth::server
