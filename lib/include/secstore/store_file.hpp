// `secstore apply` on disk (SPEC §5): under the store's lock, the store as
// it is now and the script, validated as one transaction, written
// atomically (secstore/file_update.hpp).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

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

// What the store must also pass, as the script leaves it, before it is
// written: the caller's check of the other files pam_secstore reads with it
// (`secstore apply` checks the new store with secstore.conf, as `secstore
// check` would: a role selector there makes the store decide which scopes a
// session gets). Called under the lock with the text to be written, in
// both modes; an error it returns refuses the change.
using StoreTextCheck = std::function<std::vector<Diagnostic>(const std::string& text)>;

// Re-reads the store under the lock (so concurrent applies lose no edit),
// runs the script after it as one transaction (Store::parse_with_script,
// role locks checked for `invoker`), and if the result is valid and
// differs in meaning, writes it with replace_file_atomically, keeping the
// file as written (SPEC §5): a statement that sets what the file sets
// replaces it in place, others are appended, `remove`/`deisolate` take out
// what they undo. On any error nothing is written. A store file that does
// not exist yet is treated as empty. `check`, when given, then decides
// as above.
Outcome<AppliedScript> apply_script_to_store_file(const std::string& store_path, std::string_view script,
                                                  const std::string& script_name, const std::string& invoker,
                                                  bool root_overrides_locks, const FileSafety& safety,
                                                  ApplyMode mode = ApplyMode::Write,
                                                  const StoreTextCheck& check = {});

}  // namespace secstore

#pragma GCC visibility pop
