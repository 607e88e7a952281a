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
#include "secstore/session.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

namespace detail {
struct StoreData;
struct StoreAccess;  // the library's own view of the parsed data
}

// Why a session holds a role (for `secstore explain`).
struct RoleOrigin {
  std::string role;
  // "roles for named sessions", "roles for anonymous sessions",
  // "roles for user \"alice\"", "roles for group \"netops\"",
  // "included by \"C\"".
  std::string reason;
  Location where;  // the statement that gave it
};

// What decided one role's answer at one path (SPEC §2.3, per-role model), as
// the path walk recorded it.
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

// A statement that gives sessions roles (SPEC §2.2 `set roles for ...`): with
// Store::includes_of, the role graph (`secstore audit --dot`).
struct RoleGrant {
  enum class To { NamedSessions, AnonymousSessions, User, Group };
  To to = To::NamedSessions;
  std::string name;                // the user or group; empty for the session lists
  std::vector<std::string> roles;  // as written, each once
  Location where;
};

class Store {
 public:
  // Parses one text as a whole store (SPEC §2.3): any error rejects it.
  // Warnings (e.g. removing an assignment that does not exist) are in the
  // diagnostics of a successful outcome.
  static Outcome<Store> parse(std::string_view text, const std::string& file_name);
  // The store at `path` and, if `Security.store.d/` exists beside it, every
  // `*.store` in it in name order (SPEC §2.4), as one transaction. Every file
  // and directory is checked as `safety` says; with a budget, the load's
  // bounds apply (SPEC §3).
  static Outcome<Store> load(const std::string& path, const FileSafety& safety, ReadBudget* budget = nullptr);

  // `secstore apply` (SPEC §5): the store's statements, then the script's,
  // as one transaction; errors in the script are located in `script_name`.
  // A script statement about a role locked by principal P (its permissions,
  // path assignments, includes or lock) is an error unless the invoker (a
  // Unix user name) is P, or the invoker is root and `root_overrides_locks`.
  static Outcome<Store> parse_with_script(std::string_view store_text, const std::string& store_name,
                                          std::string_view script, const std::string& script_name,
                                          const std::string& invoker, bool root_overrides_locks);

  // An empty store (as if from an empty file).
  Store();

  // The session's roles (SPEC §2.3 "session roles"), closed under includes.
  SessionAccess resolve(const SessionSubject& who) const;
  // The closure of explicitly named roles; names the store does not know
  // are ignored.
  RoleSet closure_of(const std::vector<std::string>& role_names) const;
  std::vector<std::string> role_names(const RoleSet& roles) const;
  GlobalPermissions global_permissions(const RoleSet& roles) const;
  // `path` is normalised first (SPEC §2.3); an empty path has no permissions.
  PathPermissions path_permissions(const RoleSet& roles, std::string_view path) const;
  // The same answers, precomputed for a session that asks many times: the
  // cost is in proportion to the session's part of the store (its roles'
  // assignments and the isolated paths), paid once.
  PathChecker path_checker(const RoleSet& roles) const;

  std::vector<RoleOrigin> explain_roles(const SessionSubject& who) const;
  std::vector<PathDecision> explain_path(const RoleSet& roles, std::string_view path) const;

  // Every role list in force: the named-session roles, the anonymous-session
  // roles, then the users' and the groups' in byte order of their names.
  std::vector<RoleGrant> role_grants() const;
  // The roles `role` includes directly, in byte order; none for a role the
  // store does not know.
  std::vector<std::string> includes_of(std::string_view role) const;

  // Roles exist by being named anywhere in the store.
  bool has_role(std::string_view name) const;
  std::vector<std::string> all_roles() const;
  // The principal a role is locked by, if any.
  std::optional<std::string> lock_of(std::string_view role) const;
  // Whether the store sets roles for any group: if not, a session's groups
  // cannot change its roles.
  bool has_group_roles() const;

  // The store in canonical form: one statement a line, in a fixed order,
  // upper-case permission names, double-quoted strings. Parsing the dump
  // gives an equal store.
  std::string dump() const;

  // The main file's name as given to parse/load.
  const std::string& file_name() const;
  // What load() read: the main file, Security.store.d/ (or its absence) and
  // each drop-in. Empty after parse().
  const std::vector<SourceRecord>& sources() const;

 private:
  friend struct detail::StoreAccess;
  explicit Store(std::shared_ptr<const detail::StoreData> data);
  std::shared_ptr<const detail::StoreData> data_;
};

// SPEC §2.3 path normalisation: drop leading/trailing '/', collapse '//'.
// nullopt for a path that is empty after that.
std::optional<std::string> normalize_path(std::string_view path);

// The drop-in directory of a store (SPEC §2.4): DIR/Security.store.d for
// DIR/Security.store, STORE.d in general.
std::string store_dropin_directory(const std::string& store_path);

}  // namespace secstore

#pragma GCC visibility pop
