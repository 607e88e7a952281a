// `secstore apply` on disk (SPEC §5): under the store's lock, the store as
// it is now and the script, validated as one transaction, written
// atomically (secstore/file_update.hpp).
#pragma once

#include <string>
#include <string_view>

#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/store.hpp"

#pragma GCC visibility push(default)

namespace secstore {

struct AppliedScript {
  Store store;           // the store after the script (on disk, unless a dry run)
  bool changed = false;  // false: the script changes nothing, the file is not rewritten
  std::string diff;      // unified diff of the file's change ("" when unchanged)
};

enum class ApplyMode {
  Write,   // replace the file
  DryRun,  // everything but the write (`apply --dry-run`)
};

// Re-reads the store under the lock (so concurrent applies lose no edit),
// runs the script after it as one transaction (Store::parse_with_script,
// role locks checked for `invoker`), and if the result is valid and
// differs in meaning, writes it with replace_file_atomically, keeping the
// file as written (SPEC §5): a statement that sets what the file sets
// replaces it in place, others are appended, `remove`/`deisolate` take out
// what they undo. On any error nothing is written. A store file that does
// not exist yet is treated as empty.
Outcome<AppliedScript> apply_script_to_store_file(const std::string& store_path, std::string_view script,
                                                  const std::string& script_name, const std::string& invoker,
                                                  bool root_overrides_locks, const FileSafety& safety,
                                                  ApplyMode mode = ApplyMode::Write);

}  // namespace secstore

#pragma GCC visibility pop
