// StateStore: what blockhealthd keeps across a restart or a crash
// (transition history, maintenance, silences, the action outbox and the
// blocks defined over HTTP), in one SQLite database,
// <state_dir>/blockhealth.db, in WAL mode.
//
// Durability: every write is one statement or one transaction, committed
// before the call returns; a committed write survives the process being
// killed (SIGKILL, a crash) at any point. synchronous=NORMAL: a power loss
// or OS crash may lose the last few commits, never corrupt the file.
//
// Thread-safety: every method is safe to call from any thread at any time;
// one mutex serializes them over one connection, held for one statement or
// one short transaction (quick reads wait behind a write, and vice versa).
//
// Errors: never exceptions. A failed call returns an Error whose message is
// "<operation>: <path>: <sqlite message>" (code kConflict for a constraint,
// kBusy when locked, kNotFound where stated, else kUnavailable); the store
// stays usable, e.g. reads keep working after a write failed on a full disk.
#ifndef BLOCKHEALTH_CORE_STATE_STATE_STORE_H
#define BLOCKHEALTH_CORE_STATE_STATE_STORE_H

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/delivery.h"
#include "core/model/silence.h"
#include "core/model/transition.h"
#include "core/util/result.h"

namespace blockhealth {

namespace sqlite {
class Connection;
class Statement;
class StatementRef;
}  // namespace sqlite

// A block defined over HTTP as stored: its id and its body (compact JSON).
struct ApiBlockRecord {
  std::string id;
  std::string body;
  std::int64_t updated_ms = 0;
  friend bool operator==(const ApiBlockRecord&, const ApiBlockRecord&) = default;
};

class StateStore;
using StateStorePtr = std::unique_ptr<StateStore>;

class StateStore {
 public:
  // The database's file name inside state_dir.
  static constexpr std::string_view kFileName = "blockhealth.db";

  // Opens <state_dir>/blockhealth.db, creating the folder (mode 0750) and the
  // file when absent, and upgrading an older schema. Runs PRAGMA quick_check
  // (reads the whole file once). Refuses, naming the path and what to do:
  // a folder it cannot create or write, a file it cannot write, a file that
  // is not SQLite or not a blockhealth database, a corrupt file, a file of a
  // newer schema, a filesystem without WAL support.
  static Result<StateStorePtr> open(const std::filesystem::path& state_dir);

  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The database file's path.
  const std::string& path() const { return path_; }
  // True when the file was there but empty (0 bytes) at open: it was taken
  // as a new database; the caller says so (it may have held state once).
  bool opened_empty_file() const { return opened_empty_file_; }

  // ---- Transitions ----
  // Fails with kConflict when t.seq is already stored, kInvalid when
  // t.seq > INT64_MAX.
  Result<void> append_transition(const Transition& t);
  // The newest `per_instance` transitions of every (block, instance), in seq
  // order (so oldest first within each instance).
  Result<std::vector<Transition>> recent_transitions(std::size_t per_instance);
  // Transitions with seq > after_seq (of `block` only when given), in seq
  // order, at most `limit`.
  Result<std::vector<Transition>> transitions_after(std::uint64_t after_seq, std::size_t limit,
                                                    std::optional<std::string> block = {});
  // The highest seq ever stored, pruned ones included; 0 when none.
  Result<std::uint64_t> max_transition_seq();
  // Deletes transitions with time_ms < older_than_ms; returns how many.
  Result<std::size_t> prune_transitions(std::int64_t older_than_ms);

  // ---- Maintenance, one per (block, instance) ----
  Result<void> put_maintenance(const Maintenance& m);  // inserts or replaces
  // False when there was none.
  Result<bool> delete_maintenance(const std::string& block, const std::string& instance);
  Result<std::vector<Maintenance>> load_maintenance();  // by block, instance

  // ---- Silences, by id ----
  Result<void> put_silence(const Silence& s);          // inserts or replaces
  Result<bool> delete_silence(const std::string& id);  // false when there was none
  Result<std::vector<Silence>> load_silences();        // by created_ms, id
  // Deletes maintenance and silences with until_ms <= now_ms (over at their
  // until instant); returns how many, both kinds together.
  Result<std::size_t> prune_expired(std::int64_t now_ms);

  // ---- Blocks defined over HTTP, by id ----
  Result<void> put_api_block(const ApiBlockRecord& b);    // inserts or replaces
  Result<bool> delete_api_block(const std::string& id);   // false when there was none
  Result<std::vector<ApiBlockRecord>> load_api_blocks();  // by id

  // ---- Deliveries: the action dispatcher's outbox ----
  // Stores `d` (its id is ignored) and returns the new id: positive, never
  // reused, even after removal.
  Result<std::int64_t> add_delivery(const Delivery& d);
  // Records a failed attempt. kNotFound when no delivery has this id.
  Result<void> update_delivery(std::int64_t id, int attempts, std::int64_t next_attempt_ms,
                               const std::string& last_error);
  // Forgets a delivery (delivered or given up); no error when already gone.
  Result<void> remove_delivery(std::int64_t id);
  // Every stored delivery, by next_attempt_ms then id.
  Result<std::vector<Delivery>> pending_deliveries();

  // Copies the WAL into the database file and truncates the WAL (a
  // housekeeping call; SQLite also checkpoints on its own every ~4 MiB).
  Result<void> checkpoint();

 private:
  StateStore(std::unique_ptr<sqlite::Connection> db, std::string path);
  Result<void> initialize();
  Result<void> check_integrity();
  // "<op>: <path>: <message>", keeping e's code.
  Error error(std::string_view op, const Error& e) const;
  Result<sqlite::StatementRef> statement(std::string_view op, std::string_view sql);
  Result<Transition> read_transition(const sqlite::Statement& row) const;
  Result<std::vector<Transition>> read_transitions(std::string_view op,
                                                   sqlite::Statement& query) const;

  std::string path_;
  bool opened_empty_file_ = false;
  std::mutex mutex_;
  std::unique_ptr<sqlite::Connection> db_;  // GUARDED_BY(mutex_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_STATE_STATE_STORE_H
