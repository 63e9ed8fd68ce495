// The HTTP API, as routes on a Router. Each add_*_routes function installs
// one family of endpoints; handlers read engine views (never waiting on an
// evaluation) or call the engine's thread-safe methods.
#ifndef BLOCKHEALTH_SERVER_ROUTES_H
#define BLOCKHEALTH_SERVER_ROUTES_H

#include "server/router.h"
#include "server/server_context.h"

namespace blockhealth::server {

// GET /block/health/{block}, POST /block/{block}/health-checker/mgmt
void add_aios_routes(Router& router, ServerContext& ctx);
// POST /mgmt: the routes of the aios.mgmt_listen listener
void add_aios_mgmt_listener_routes(Router& router, ServerContext& ctx);
// GET /v1/blocks, /v1/blocks/{block}, /v1/blocks/{block}/history, /v1/plugins
void add_block_routes(Router& router, ServerContext& ctx);
// PUT/DELETE /v1/blocks/{block}: blocks defined over HTTP
void add_block_definition_routes(Router& router, ServerContext& ctx);
// PUT/DELETE /v1/blocks/{block}/instances/{instance},
// POST /v1/blocks/{block}/instances/{instance}/metrics and /logs
// and POST /api/v1/write (add_remote_write_routes)
void add_ingest_routes(Router& router, ServerContext& ctx);
// POST /api/v1/write: Prometheus remote write 1.0 (routes_remote_write.cc)
void add_remote_write_routes(Router& router, ServerContext& ctx);
// GET /healthz, /readyz, /metrics; POST /v1/reload
void add_ops_routes(Router& router, ServerContext& ctx);
// PUT/DELETE /v1/blocks/{block}/instances/{instance}/maintenance,
// GET/POST /v1/silences, DELETE /v1/silences/{id}
void add_hold_routes(Router& router, ServerContext& ctx);
// GET /v1/events?after=&wait=&limit=&block= (and the ?index=&wait= watch of
// GET /v1/blocks/{block}, installed by add_block_routes)
void add_event_routes(Router& router, ServerContext& ctx);
// GET /, /ui (redirects to /ui/), /ui/ and /ui/{file}: the status page,
// built into the binary (server/ui/)
void add_ui_routes(Router& router);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_ROUTES_H
