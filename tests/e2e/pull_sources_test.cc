// Pull sources end to end: health_url probes (answered by the daemon's own
// /healthz, a 404 and a closed port) and followed log_files: appended
// lines, rotation by rename and by copytruncate, a file that appears later
// and a line split across two writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kDefaults = R"(
defaults:
  interval: 200ms
  timeout: 200ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1h
)";

TEST(PullSources, HealthProbesJudgeInstancesAndSayWhy) {
  TempDir dir;
  // Start without probes, then point them at this daemon's own address.
  DaemonProcess daemon(dir.path(), std::string(kDefaults) + "blocks: []\n");
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();
  daemon.write_config(std::string(kDefaults) + R"(
blocks:
  - id: probed
    instances:
      - id: good
        health_url: http://)" +
                      address + R"(/healthz
      - id: missing
        health_url: http://)" +
                      address + R"(/no-such-page
      - id: closed
        health_url: http://127.0.0.1:1/healthz
)");
  const HttpReply reload = http_post(address, "/v1/reload", "");
  ASSERT_EQ(reload.status, 200) << reload.body;

  const json::value view = wait_for_view(address, "probed", [](const json::value& v) {
    return str(instance_of(v, "good"), "status") == "ok" &&
           str(instance_of(v, "missing"), "status") == "unhealthy" &&
           str(instance_of(v, "closed"), "status") == "unhealthy";
  });
  const std::string missing = str(instance_of(view, "missing"), "reason");
  EXPECT_NE(missing.find("GET http://" + address + "/no-such-page"), std::string::npos) << missing;
  EXPECT_NE(missing.find("404"), std::string::npos) << missing;
  const std::string closed = str(instance_of(view, "closed"), "reason");
  EXPECT_NE(closed.find("GET http://127.0.0.1:1/healthz"), std::string::npos) << closed;
  EXPECT_NE(closed.find("connection refused"), std::string::npos) << closed;

  const json::value aios = http_get(address, "/block/health/probed").json();
  EXPECT_FALSE(aios.at("healthy").as_bool());
  EXPECT_TRUE(aios.at("instances").at(0).at("healthy").as_bool()) << aios;
  EXPECT_FALSE(aios.at("instances").at(1).at("healthy").as_bool()) << aios;
  EXPECT_FALSE(aios.at("instances").at(2).at("healthy").as_bool()) << aios;
}

TEST(PullSources, AFollowedLogFileFeedsLogPattern) {
  TempDir dir;
  const auto log = dir.write("model.log", "INFO starting\n");
  const std::string config = std::string(kDefaults) + R"(
blocks:
  - id: logs
    instances:
      - id: in-vkkv
        log_file: ')" + log.string() +
                             R"('
    policies:
      - use: log_pattern
        with: { critical: ["CUDA error"], window: 1h }
)";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  // Once the daemon follows the file (from its end: old lines are not
  // news), appended lines are judged.
  json::value view = wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    const json::value in = instance_of(v, "in-vkkv");
    if (!in.is_object()) return false;
    for (const json::value& s : in.at("sources").as_array()) {
      if (str(s, "source") == "logs" && s.at("ok").as_bool()) return true;
    }
    return false;
  });
  EXPECT_EQ(str(instance_of(view, "in-vkkv"), "reason"), "no observations yet") << view;
  {
    std::ofstream out(log, std::ios::app);
    out << "ERROR CUDA error: an illegal memory access was encountered\n";
  }
  view = wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "unhealthy";
  });
  EXPECT_NE(str(instance_of(view, "in-vkkv"), "reason").find("CUDA error: an illegal memory"),
            std::string::npos)
      << view;
}

// Appends `text` to `path` in one write (creating the file).
void append(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

// The "logs" entry of `instance`'s sources; null when absent.
json::value log_source_of(const json::value& instance) {
  if (!instance.is_object()) return nullptr;
  for (const json::value& s : instance.at("sources").as_array()) {
    if (str(s, "source") == "logs") return s;
  }
  return nullptr;
}

bool log_source_ok(const json::value& view, const std::string& instance) {
  const json::value s = log_source_of(instance_of(view, instance));
  return s.is_object() && s.at("ok").as_bool();
}

// One block "logs", one instance "in-vkkv" following `log`, judged by
// log_pattern (critical "CUDA error", warn "WARN").
std::string log_config(const std::filesystem::path& log) {
  return std::string(kDefaults) + R"(
blocks:
  - id: logs
    instances:
      - id: in-vkkv
        log_file: ')" +
         log.string() + R"('
    policies:
      - use: log_pattern
        with: { critical: ["CUDA error"], warn: ["WARN"], window: 1h }
)";
}

// The number of matching lines log_pattern reports (its evidence).
double matching_lines(const json::value& view) {
  const json::value in = instance_of(view, "in-vkkv");
  if (!in.is_object() || !in.at("evidence").is_object()) return 0;
  return in.at("evidence").at("observed").to_number<double>();
}

// model.log with 100 old lines: longer than anything written after a
// rotation, so the follower's position is past the new file's end.
std::filesystem::path write_long_log(TempDir& dir) {
  std::string old_lines;
  for (int i = 0; i < 100; ++i) old_lines += "INFO request " + std::to_string(i) + " served\n";
  return dir.write("model.log", old_lines);
}

TEST(PullSources, ALogRotatedByRenameIsFollowedIntoTheNewFile) {
  TempDir dir;
  const auto log = write_long_log(dir);
  DaemonProcess daemon(dir.path(), log_config(log));
  ASSERT_TRUE(daemon.started());
  wait_for_view(daemon.address(), "logs",
                [](const json::value& v) { return log_source_ok(v, "in-vkkv"); });

  // logrotate's default: the last line of the old file, then rename and
  // recreate. Both lines are read: the rest of the renamed file through the
  // open descriptor, then the new file from its beginning.
  append(log, "ERROR CUDA error: last line before rotation\n");
  std::filesystem::rename(log, dir.path() / "model.log.1");
  append(log, "ERROR CUDA error: first line after rotation\n");
  const json::value view = wait_for_view(
      daemon.address(), "logs", [](const json::value& v) { return matching_lines(v) == 2; });
  const json::value in = instance_of(view, "in-vkkv");
  EXPECT_EQ(str(in, "status"), "unhealthy") << in;
  EXPECT_NE(str(in, "reason").find("2 lines match critical patterns"), std::string::npos) << in;
  EXPECT_NE(str(in, "reason").find("CUDA error: first line after rotation"), std::string::npos)
      << in;
  EXPECT_EQ(str(log_source_of(in), "target"), log.string());

  // The new file is followed from then on.
  append(log, "ERROR CUDA error: second line after rotation\n");
  wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    return matching_lines(v) == 3 &&
           str(instance_of(v, "in-vkkv"), "reason").find("second line after rotation") !=
               std::string::npos;
  });
}

TEST(PullSources, ALogRotatedByCopytruncateIsReadAgainFromItsStart) {
  TempDir dir;
  const auto log = write_long_log(dir);
  DaemonProcess daemon(dir.path(), log_config(log));
  ASSERT_TRUE(daemon.started());
  wait_for_view(daemon.address(), "logs",
                [](const json::value& v) { return log_source_ok(v, "in-vkkv"); });

  // logrotate's copytruncate: copy, then truncate in place; the writer
  // goes on writing at the (new) start, well short of the old position.
  std::filesystem::copy_file(log, dir.path() / "model.log.1");
  std::filesystem::resize_file(log, 0);
  append(log, "ERROR CUDA error: after truncation\n");
  const json::value view = wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "unhealthy";
  });
  const json::value in = instance_of(view, "in-vkkv");
  EXPECT_NE(str(in, "reason").find("1 line matches critical patterns"), std::string::npos) << in;
  EXPECT_NE(str(in, "reason").find("CUDA error: after truncation"), std::string::npos) << in;
  EXPECT_EQ(matching_lines(view), 1) << in;
}

TEST(PullSources, ALogFileThatAppearsLaterIsReadFromItsStart) {
  TempDir dir;
  const auto log = dir.path() / "later" / "model.log";
  std::filesystem::create_directories(log.parent_path());
  DaemonProcess daemon(dir.path(), log_config(log));
  ASSERT_TRUE(daemon.started());

  // Missing: the source says so, and the instance is not judged on it.
  json::value view = wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    return log_source_of(instance_of(v, "in-vkkv")).is_object();
  });
  json::value source = log_source_of(instance_of(view, "in-vkkv"));
  EXPECT_FALSE(source.at("ok").as_bool()) << source;
  EXPECT_NE(str(source, "message").find("no such file"), std::string::npos) << source;
  EXPECT_TRUE(source.at("last_success").is_null()) << source;

  // Created with lines already in it: all of them are new.
  append(log, "INFO model loaded\nERROR CUDA error: device-side assert triggered\n");
  view = wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "unhealthy" && log_source_ok(v, "in-vkkv");
  });
  EXPECT_NE(str(instance_of(view, "in-vkkv"), "reason").find("device-side assert triggered"),
            std::string::npos)
      << view;
}

TEST(PullSources, ALineSplitAcrossTwoWritesIsJudgedWhole) {
  TempDir dir;
  const auto log = dir.write("model.log", "INFO starting\n");
  DaemonProcess daemon(dir.path(), log_config(log));
  ASSERT_TRUE(daemon.started());
  wait_for_view(daemon.address(), "logs",
                [](const json::value& v) { return log_source_ok(v, "in-vkkv"); });

  // One write: a whole line (a WARN, seen once read) and the start of the
  // next. Once the WARN is judged, the daemon holds the partial line.
  append(log, "WARN queue length 48 above soft limit 32\nERROR CUDA er");
  wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "degraded";
  });
  // The rest, well within the partial-line timeout (2s): one line, which
  // matches the critical pattern only when judged whole.
  append(log, "ror: an illegal memory access was encountered\n");
  const json::value view = wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "unhealthy";
  });
  EXPECT_NE(str(instance_of(view, "in-vkkv"), "reason")
                .find("\"ERROR CUDA error: an illegal memory access was encountered\""),
            std::string::npos)
      << view;
}

}  // namespace
}  // namespace blockhealth::test
