// Security.store: the Diffusion security store extended with per-user and
// per-group roles (SPEC §2). Parsed once into indexed structures so that
// evaluating a session costs in proportion to its roles and the path's depth,
// never to the size of the store. A Store is immutable after parsing and may
// be shared between threads freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/path_checker.hpp"
#include "secstore/permissions.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

namespace detail {
struct StoreData;
struct StoreAccess;  // the compiled index's writer (store_index_write.cpp)
}

// Who a session is, as far as the store is concerned (SPEC §2.3, §4.3).
struct SessionIdentity {
  bool anonymous = false;
  std::string user;                 // empty for anonymous sessions
  std::vector<std::string> groups;  // primary and supplementary group names
};

// A session's roles after closure under `includes`: ids into one Store.
// Only meaningful with the Store that produced it.
struct RoleSet {
  std::vector<std::uint32_t> ids;  // sorted, unique
};

// Why a session holds a role (for `secstore explain`).
struct RoleOrigin {
  std::string role;
  // "roles for named sessions", "roles for anonymous sessions",
  // "roles for user \"alice\"", "roles for group \"netops\"",
  // "included by \"C\"".
  std::string reason;
  Location where;  // the statement that gave it
};

// What decided one role's answer at one path (SPEC §2.3, per-role model).
struct PathDecision {
  std::string role;
  PathPermissions permissions;
  enum class Kind { Assignment, Isolated, Default, NoDefault } kind = Kind::NoDefault;
  std::string at_path;  // Assignment: where the assignment is; Isolated: the isolated path
  Location where;       // the deciding statement (Assignment, Isolated, Default)
  // EXPOSE_BRANCH held at an ancestor is held below it (SPEC §2.3). When the
  // decision above lacks it but the role holds it at an ancestor: the nearest
  // such ancestor and the statement that gave it there (`permissions` then
  // includes EXPOSE_BRANCH). Empty otherwise.
  std::string expose_branch_from;
  Location expose_branch_where;
};

class Store {
 public:
  // Parses a whole file as one transaction (SPEC §2.3): any error rejects
  // the store. Warnings (e.g. removing an assignment that does not exist)
  // are in the diagnostics of a successful outcome.
  static Outcome<Store> parse(std::string_view text, const std::string& file_name);
  static Outcome<Store> load(const std::string& path, const FileSafety& safety);

  // `secstore apply` (SPEC §5): the store's statements, then the script's,
  // as one transaction; errors in the script are located in `script_name`.
  // A script statement that changes a role locked by principal P (its
  // permissions, path assignments, includes or lock) is an error unless the
  // invoker (a Unix user name) is P or root.
  static Outcome<Store> parse_with_script(std::string_view store_text, const std::string& store_name,
                                          std::string_view script, const std::string& script_name,
                                          const std::string& invoker, bool invoker_is_root);

  // An empty store (as if from an empty file).
  Store();

  // Roles of a session after closure under `includes`.
  RoleSet resolve(const SessionIdentity& who) const;
  // Role names of a set, sorted (byte order).
  std::vector<std::string> role_names(const RoleSet& roles) const;
  // Looks a role up by name (roles exist by being named anywhere).
  std::optional<std::uint32_t> role_id(std::string_view name) const;
  // The closure of explicitly named roles; unknown names are ignored.
  RoleSet closure_of(const std::vector<std::string>& role_names) const;

  GlobalPermissions global_permissions(const RoleSet& roles) const;
  // `path` is normalised first (SPEC §2.3); an empty path has no permissions.
  PathPermissions path_permissions(const RoleSet& roles, std::string_view path) const;
  // The same answers, precomputed for a session that asks many times: the
  // cost is in proportion to the session's part of the store (its roles'
  // assignments and the isolated paths), paid once.
  PathChecker path_checker(const RoleSet& roles) const;

  std::vector<RoleOrigin> explain_roles(const SessionIdentity& who) const;
  std::vector<PathDecision> explain_path(const RoleSet& roles, std::string_view path) const;

  // The principal a role is locked by, if any.
  std::optional<std::string> lock_of(std::string_view role) const;
  // Whether the store sets roles for any group: if not, a session's groups
  // cannot change its roles.
  bool has_group_roles() const;

  // The store in canonical form: one statement a line, in a fixed order,
  // upper-case permission names, double-quoted strings. Parsing the dump
  // gives an equal store.
  std::string dump() const;

  // The file name given to parse/load.
  const std::string& file_name() const;

 private:
  friend struct detail::StoreAccess;
  explicit Store(std::shared_ptr<const detail::StoreData> data);
  std::shared_ptr<const detail::StoreData> data_;
};

// SPEC §2.3 path normalisation: drop leading/trailing '/', collapse '//'.
// nullopt for a path that is empty after that.
std::optional<std::string> normalize_path(std::string_view path);

}  // namespace secstore

#pragma GCC visibility pop
