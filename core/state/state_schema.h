// The state database's schema and its migrations, versioned with
// PRAGMA user_version and marked with PRAGMA application_id.
#ifndef BLOCKHEALTH_CORE_STATE_STATE_SCHEMA_H
#define BLOCKHEALTH_CORE_STATE_STATE_SCHEMA_H

#include <cstdint>

#include "core/state/sqlite_db.h"
#include "core/util/result.h"

namespace blockhealth {

// The schema version this build writes. A database with a higher
// user_version was written by a newer blockhealthd and is refused.
inline constexpr int kStateSchemaVersion = 2;

// PRAGMA application_id of a blockhealth state database ("BHLT").
inline constexpr std::int32_t kStateApplicationId = 0x42484C54;

// Brings a database at user_version `from` (0 = new, empty) up to
// kStateSchemaVersion, one transaction per version step, so a crash leaves
// it at some whole version. A second process migrating at the same time is
// harmless: each step re-reads the version inside its transaction.
// REQUIRES: from <= kStateSchemaVersion.
// Errors carry sqlite3_errmsg; the caller adds the path.
Result<void> migrate_state_schema(sqlite::Connection& db, int from);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_STATE_STATE_SCHEMA_H
