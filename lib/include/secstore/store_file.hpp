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
  Store store;           // the store now on disk
  bool changed = false;  // false: the script changed nothing, the file was not rewritten
};

// Re-reads the store under the lock (so concurrent applies lose no edit),
// runs the script after it as one transaction (Store::parse_with_script,
// role locks checked for `invoker`), and if the result is valid and
// differs, writes it with replace_file_atomically. On any error nothing is
// written. A store file that does not exist yet is treated as empty.
Outcome<AppliedScript> apply_script_to_store_file(const std::string& store_path, std::string_view script,
                                                  const std::string& script_name, const std::string& invoker,
                                                  bool root_overrides_locks, const FileSafety& safety);

}  // namespace secstore

#pragma GCC visibility pop
