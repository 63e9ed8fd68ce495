// GET / and /ui/...: the status page (docs/operations.md, "The status page").
// Its files are built into the binary (server/ui_files.h); they are served
// with their content type, an ETag (their SHA-256: a new build is a new tag)
// honouring If-None-Match, and headers that keep the page to its own origin.
// The page itself reads the /v1 API like any other client.
#include <string>

#include "server/routes.h"
#include "server/ui_files.h"

namespace blockhealth::server {
namespace {

constexpr std::string_view kUiIndexFile = "index.html";
// Scripts, styles, images and requests from the daemon's origin only, no
// inline script or style; no <base>, no form posts, no framing by others.
constexpr std::string_view kUiContentSecurityPolicy =
    "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string_view ui_content_type(std::string_view name) {
  const auto ends_with = [name](std::string_view ext) { return name.ends_with(ext); };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

const EmbeddedFile* find_ui_file(std::string_view name) {
  for (const EmbeddedFile& file : ui_files()) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

// A strong validator: 128 bits of the content's SHA-256, quoted.
std::string ui_etag(const EmbeddedFile& file) {
  return "\"" + std::string(file.sha256.substr(0, 32)) + "\"";
}

// True when an If-None-Match value is "*" or lists `etag` (weak comparison,
// RFC 9110 13.1.2: a W/ prefix does not matter).
bool ui_if_none_match_hits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

void set_ui_headers(Response& res, const EmbeddedFile& file, const std::string& etag) {
  res.set(http::field::server, "blockhealthd");
  res.set(http::field::content_type, ui_content_type(file.name));
  // Kept, but revalidated at each use: a new daemon serves new files under
  // the same names, and the ETag makes the check a 304 when nothing changed.
  res.set(http::field::cache_control, "no-cache");
  res.set(http::field::etag, etag);
  res.set("Content-Security-Policy", kUiContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
}

Response ui_file_response(const Request& req, const EmbeddedFile& file) {
  const std::string etag = ui_etag(file);
  if (auto inm = req.find(http::field::if_none_match);
      inm != req.end() && ui_if_none_match_hits(inm->value(), etag)) {
    Response res{http::status::not_modified, req.version()};
    set_ui_headers(res, file, etag);
    res.keep_alive(req.keep_alive());
    return res;  // no body and no Content-Length (RFC 9110 15.4.5)
  }
  Response res{http::status::ok, req.version()};
  set_ui_headers(res, file, etag);
  res.keep_alive(req.keep_alive());
  // The bytes are static: an owner that owns nothing (the aliasing
  // constructor), so the body is written without a copy.
  res.set_shared_body(std::shared_ptr<const void>(std::shared_ptr<const void>(), file.bytes.data()),
                      file.bytes);
  return res;
}

// "/" and "/ui" send the browser to "/ui/", by a relative reference so that
// a proxy that serves the daemon under a path prefix keeps it, with the
// query (the page's ?wait=). The target passed the router's origin-form
// parse: the query is percent-encoded text, nothing that could end a header.
Response ui_redirect(const Request& req) {
  std::string location = "ui/";
  if (const std::size_t q = req.target().find('?'); q != std::string_view::npos) {
    location += std::string(req.target().substr(q));
  }
  Response res = text_response(req, http::status::found, "the status page is at " + location + "\n",
                               "text/plain; charset=utf-8");
  res.set(http::field::location, location);
  return res;
}

}  // namespace

void add_ui_routes(Router& router) {
  for (const char* pattern : {"/", "/ui"}) {
    router.add(http::verb::get, pattern,
               [](const Request& req, const RouteParams&, Responder respond) {
                 respond(ui_redirect(req));
               });
  }
  router.add(
      http::verb::get, "/ui/", [](const Request& req, const RouteParams&, Responder respond) {
        const EmbeddedFile* index = find_ui_file(kUiIndexFile);
        if (index ==
            nullptr) {  // a build without the page's files: cannot happen, CMake lists them
          respond(error_response(req, http::status::not_found, "the status page is not built in"));
          return;
        }
        respond(ui_file_response(req, *index));
      });
  router.add(
      http::verb::get, "/ui/{}", [](const Request& req, const RouteParams& p, Responder respond) {
        const EmbeddedFile* file = find_ui_file(p.path[0]);
        if (file == nullptr) {
          respond(error_response(
              req, http::status::not_found,
              "no such file: /ui/" + p.path[0].substr(0, 200) + " (the status page is at /ui/)"));
          return;
        }
        respond(ui_file_response(req, *file));
      });
}

}  // namespace blockhealth::server
