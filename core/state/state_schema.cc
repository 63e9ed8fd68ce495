#include "core/state/state_schema.h"

#include <string>

namespace blockhealth {
namespace {

// Version 1. Statuses are stored by name ("ok", "unhealthy"...) so the file
// reads well in the sqlite3 shell; evidence is three columns, NULL metric =
// no evidence. `meta` keeps the highest transition seq ever pruned, so the
// /v1/events cursor never goes backwards after a prune.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE transitions (
  seq               INTEGER PRIMARY KEY,
  time_ms           INTEGER NOT NULL,
  block_id          TEXT NOT NULL,
  instance_id       TEXT NOT NULL,
  from_status       TEXT NOT NULL,
  to_status         TEXT NOT NULL,
  policy            TEXT NOT NULL,
  reason            TEXT NOT NULL,
  evidence_metric   TEXT,
  evidence_observed REAL,
  evidence_limit    REAL
);
CREATE INDEX transitions_by_instance ON transitions (block_id, instance_id, seq);
CREATE INDEX transitions_by_time ON transitions (time_ms);

CREATE TABLE maintenance (
  block_id    TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  reason      TEXT NOT NULL,
  until_ms    INTEGER NOT NULL,
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (block_id, instance_id)
) WITHOUT ROWID;

CREATE TABLE silences (
  id          TEXT NOT NULL PRIMARY KEY,
  block_id    TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  reason      TEXT NOT NULL,
  until_ms    INTEGER NOT NULL,
  created_ms  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  block_id        TEXT NOT NULL,
  instance_id     TEXT NOT NULL,
  action          TEXT NOT NULL,
  url             TEXT NOT NULL,
  body            TEXT NOT NULL,
  transition_seq  INTEGER NOT NULL,
  attempts        INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  created_ms      INTEGER NOT NULL,
  last_error      TEXT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_ms, id);

CREATE TABLE meta (
  key   TEXT NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Version 2: blocks defined over HTTP (PUT /v1/blocks/<id>), their body as
// compact JSON.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE api_blocks (
  id         TEXT NOT NULL PRIMARY KEY,
  body       TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

struct Migration {
  int to_version;
  const char* sql;
};

// Append one entry per new version; never edit a shipped one.
constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kStateSchemaVersion);

}  // namespace

Result<void> migrate_state_schema(sqlite::Connection& db, int from) {
  for (const Migration& m : kMigrations) {
    if (m.to_version <= from) continue;
    Result<sqlite::Transaction> tx = sqlite::Transaction::begin(db);
    if (!tx) return tx.error();
    Result<std::int64_t> now = db.query_int64("PRAGMA user_version");
    if (!now) return now.error();
    if (*now >= m.to_version) continue;  // another process got here first
    if (Result<void> r = db.exec(m.sql); !r) return r.error();
    const std::string stamp = "PRAGMA user_version = " + std::to_string(m.to_version) +
                              "; PRAGMA application_id = " + std::to_string(kStateApplicationId);
    if (Result<void> r = db.exec(stamp.c_str()); !r) return r.error();
    if (Result<void> r = tx->commit(); !r) return r.error();
  }
  return {};
}

}  // namespace blockhealth
