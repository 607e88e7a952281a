// A compiled Security.store index (issue 7): what a session open needs from
// the store, precomputed, so that opening a session costs the same with a
// store of a million lines as with one of ten.
//
// `secstore compile` writes STORE.idx beside the store. It records the
// store's identity (device, inode, size, mtime and ctime in nanoseconds) and,
// per session role list (named, anonymous, each user, each group), the role
// set already closed under `includes`, with each role's name and global
// permissions; and, for require_path=, every path with something on it
// (isolation, assignments sorted by role) and every role's default path
// permissions. The module reads the header and the few entries a session
// needs with pread; any mismatch with the store it has opened, any damage,
// or an unsafe index file makes it fall back to parsing the text, so a stale
// index never answers.
#pragma once

#include <optional>
#include <string>

#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/session.hpp"
#include "secstore/store.hpp"

// Exported from libsecstore.so like the rest of the C++ API.
#pragma GCC visibility push(default)

namespace secstore {

// STORE.idx
std::string store_index_path(const std::string& store_path);

// Reads and parses the store at `store_path` (checked as `safety` says) and
// writes its index atomically (a temporary file in the same directory,
// fsync, rename). Errors: the store's own errors, I/O errors, and a store
// that changed while it was being read. The value is the index's path.
Outcome<std::string> compile_store_index(const std::string& store_path, const FileSafety& safety);

// The same for a store already parsed from the file whose stat is taken
// from `store_path` now (for `secstore apply`, right after its rename).
Outcome<std::string> compile_store_index(const Store& store, const std::string& store_path);

class StoreIndex {
 public:
  struct Opened;
  // Opens the index beside `store_path` and checks it against the store
  // file: both regular files owned by root and not writable by group or
  // others, on the same device, the recorded identity equal to the store's,
  // the header intact. `problem` says why an existing index cannot be used;
  // it is empty when there is no index (or the store itself cannot be
  // opened or is unsafe: the text path reports that).
  static Opened open(const std::string& store_path);

  StoreIndex(StoreIndex&&) noexcept;
  StoreIndex& operator=(StoreIndex&&) noexcept;
  StoreIndex(const StoreIndex&) = delete;
  StoreIndex& operator=(const StoreIndex&) = delete;
  ~StoreIndex();

  // The session's closed roles, names sorted, global permissions: the same
  // answer as Store::resolve on the text. nullopt with `problem` set when an
  // entry it needs is damaged or cannot be read.
  std::optional<SessionRoles> session_roles(const SessionIdentity& who, std::string& problem) const;
  // The permissions of `roles` (as session_roles gave them) at `path`: the
  // same answer as Store::path_permissions on the text (SPEC §2.3). nullopt
  // with `problem` set when an entry it needs is damaged.
  std::optional<PathPermissions> path_permissions(const RoleSet& roles, std::string_view path,
                                                  std::string& problem) const;
  // Whether the store sets roles for any group: if not, a session's groups
  // cannot change its roles (the same answer as Store::has_group_roles).
  bool has_group_roles() const;

 private:
  StoreIndex(int fd, std::uint64_t slot_count, std::uint64_t slots_at, std::uint64_t size, bool group_roles);
  int fd_ = -1;
  std::uint64_t slot_count_ = 0;
  std::uint64_t slots_at_ = 0;
  std::uint64_t size_ = 0;
  bool group_roles_ = false;
};

struct StoreIndex::Opened {
  std::optional<StoreIndex> index;
  std::string problem;
};

}  // namespace secstore

#pragma GCC visibility pop
