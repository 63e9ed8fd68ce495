// GET /, /ui and /ui/{file}: the status page's files as built into the
// binary, their headers (type, ETag, CSP, nosniff, caching), conditional
// requests and the answers for what is not there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "server/ui_files.h"
#include "tests/server/route_harness.h"
#include "tests/support/test_paths.h"

namespace blockhealth::server::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::filesystem::path ui_source_dir() {
  return blockhealth::test::source_dir() / "server/ui";
}

std::string header(const Response& res, std::string_view name) {
  auto it = res.find(name);
  return it == res.end() ? std::string() : std::string(it->value());
}

TEST(RoutesUi, EveryFileOfServerUiIsBuiltInByteForByte) {
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(ui_source_dir())) {
    on_disk.insert(entry.path().filename().string());
  }
  std::set<std::string> built_in;
  for (const EmbeddedFile& file : ui_files()) {
    built_in.insert(std::string(file.name));
    EXPECT_EQ(file.bytes, blockhealth::test::read_file(ui_source_dir() / file.name)) << file.name;
    EXPECT_EQ(file.sha256.size(), 64U) << file.name;
  }
  // A file added to server/ui/ but not to BLOCKHEALTH_UI_FILES would be
  // missing from the binary.
  EXPECT_EQ(built_in, on_disk);
}

TEST(RoutesUi, TheIndexIsServedAtUiWithItsHeaders) {
  RouteHarness h;
  const Response res = h.get("/ui/");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(), blockhealth::test::read_file(ui_source_dir() / "index.html"));
  EXPECT_EQ(header(res, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(header(res, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
  EXPECT_THAT(header(res, "Content-Security-Policy"), StartsWith("default-src 'self'"));
  EXPECT_THAT(header(res, "Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(header(res, "Content-Length"), std::to_string(res.body().size()));
  const std::string etag = header(res, "ETag");
  EXPECT_EQ(etag.size(), 34U) << etag;  // 32 hex digits, quoted
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  // /ui/index.html is the same file.
  const Response named = h.get("/ui/index.html");
  EXPECT_EQ(named.body(), res.body());
  EXPECT_EQ(header(named, "ETag"), etag);
}

TEST(RoutesUi, EachFileHasItsContentTypeAndItsOwnETag) {
  RouteHarness h;
  const std::map<std::string, std::string> types = {
      {"index.html", "text/html; charset=utf-8"},
      {"app.js", "text/javascript; charset=utf-8"},
      {"style.css", "text/css; charset=utf-8"},
      {"favicon.svg", "image/svg+xml"},
  };
  std::set<std::string> etags;
  for (const auto& [name, type] : types) {
    const Response res = h.get("/ui/" + name);
    ASSERT_EQ(res.result(), http::status::ok) << name;
    EXPECT_EQ(header(res, "Content-Type"), type) << name;
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff") << name;
    EXPECT_THAT(header(res, "Content-Security-Policy"), StartsWith("default-src 'self'")) << name;
    etags.insert(header(res, "ETag"));
  }
  EXPECT_EQ(etags.size(), types.size());
}

TEST(RoutesUi, AMatchingIfNoneMatchIs304WithoutABody) {
  RouteHarness h;
  const std::string etag = header(h.get("/ui/app.js"), "ETag");
  ASSERT_FALSE(etag.empty());
  for (const std::string& inm :
       {etag, "W/" + etag, "\"other\", " + etag, std::string("*"), "\"x\",W/" + etag + " "}) {
    const Response res = h.send(http::verb::get, "/ui/app.js", "", "", {{"If-None-Match", inm}});
    EXPECT_EQ(res.result(), http::status::not_modified) << inm;
    EXPECT_TRUE(res.body().empty()) << inm;
    EXPECT_EQ(header(res, "ETag"), etag) << inm;
    EXPECT_EQ(header(res, "Cache-Control"), "no-cache") << inm;
    EXPECT_EQ(header(res, "Content-Length"), "") << inm;
  }
  // HEAD too: a 304 keeps no Content-Length.
  const Response head = h.send(http::verb::head, "/ui/app.js", "", "", {{"If-None-Match", etag}});
  EXPECT_EQ(head.result(), http::status::not_modified);
  EXPECT_EQ(header(head, "Content-Length"), "");
  // Another tag, or another file's, is a full answer.
  const std::string css_etag = header(h.get("/ui/style.css"), "ETag");
  for (const std::string& inm : {std::string("\"stale\""), css_etag}) {
    const Response res = h.send(http::verb::get, "/ui/app.js", "", "", {{"If-None-Match", inm}});
    EXPECT_EQ(res.result(), http::status::ok) << inm;
    EXPECT_FALSE(res.body().empty()) << inm;
  }
}

TEST(RoutesUi, HeadTellsTheSizeWithoutTheBody) {
  RouteHarness h;
  const Response get = h.get("/ui/style.css");
  const Response head = h.send(http::verb::head, "/ui/style.css");
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(header(head, "Content-Length"), std::to_string(get.body().size()));
  EXPECT_EQ(header(head, "ETag"), header(get, "ETag"));
}

TEST(RoutesUi, RootAndUiRedirectToTheStatusPage) {
  RouteHarness h;
  for (const char* target : {"/", "/ui"}) {
    const Response res = h.get(target);
    EXPECT_EQ(res.result(), http::status::found) << target;
    // Relative: "/" and "/ui" both resolve it to "/ui/", also under a
    // proxy's path prefix.
    EXPECT_EQ(header(res, "Location"), "ui/") << target;
  }
  // The query goes along (the page reads ?wait=).
  EXPECT_EQ(header(h.get("/?wait=10s"), "Location"), "ui/?wait=10s");
  EXPECT_EQ(header(h.get("/ui?wait=5m&x=%20"), "Location"), "ui/?wait=5m&x=%20");
}

TEST(RoutesUi, AnUnknownFileIsA404InTheUsualErrorShape) {
  RouteHarness h;
  Response res = h.get("/ui/nope.js");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(header(res, "Content-Type"), "application/json");
  EXPECT_EQ(RouteHarness::message_of(res),
            "no such file: /ui/nope.js (the status page is at /ui/)");
  EXPECT_FALSE(RouteHarness::json_of(res).at("success").as_bool());
  // Nothing but the embedded files: no path into the file system.
  for (const char* target : {"/ui/..%2fCMakeLists.txt", "/ui/%2e%2e", "/ui/ui/app.js"}) {
    res = h.get(target);
    EXPECT_EQ(res.result(), http::status::not_found) << target;
    EXPECT_EQ(header(res, "Content-Type"), "application/json") << target;
  }
}

TEST(RoutesUi, ThePageOnlyReads) {
  RouteHarness h;
  const Response res = h.send(http::verb::post, "/ui/", "x", "text/plain");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(header(res, "Allow"), "GET, HEAD");
}

// No CDN, no web font, no inline script (the CSP would block it): every
// reference in the files is relative, to the daemon's own origin.
TEST(RoutesUi, TheFilesReferNothingOutsideTheDaemon) {
  for (const EmbeddedFile& file : ui_files()) {
    std::string text(file.bytes);
    // The SVG namespace is a name, not a request.
    for (std::size_t at; (at = text.find("http://www.w3.org/2000/svg")) != std::string::npos;) {
      text.erase(at, 26);
    }
    EXPECT_EQ(text.find("http://"), std::string::npos) << file.name;
    EXPECT_EQ(text.find("https://"), std::string::npos) << file.name;
    EXPECT_EQ(text.find("//cdn"), std::string::npos) << file.name;
    EXPECT_EQ(text.find("@import"), std::string::npos) << file.name;
    EXPECT_EQ(text.find("<script>"), std::string::npos) << file.name;
    EXPECT_EQ(text.find(" style=\""), std::string::npos) << file.name;
    EXPECT_EQ(text.find("innerHTML"), std::string::npos) << file.name;
    EXPECT_EQ(text.find("eval("), std::string::npos) << file.name;
  }
}

}  // namespace
}  // namespace blockhealth::server::test
