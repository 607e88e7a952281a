// One parsed Security.store statement (SPEC §2.2), before it is applied.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/permissions.hpp"

namespace secstore::detail {

// A compact source position: `file` indexes StoreData::files, so a store of
// 100,000 statements does not carry 100,000 copies of its file name.
struct SourcePos {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::uint16_t file = 0;
};

enum class StatementKind {
  RolePermissions,         // set "R" permissions [GLOBAL...]
  RoleDefaultPermissions,  // set "R" default path permissions [PATHPERM...]
  RolePathPermissions,     // set "R" path "p" permissions [PATHPERM...]
  RemovePathPermissions,   // remove "R" permissions for path "p"
  RoleIncludes,            // set "R" includes ["R2"...]
  NamedSessionRoles,       // set roles for named sessions [...]
  AnonymousSessionRoles,   // set roles for anonymous sessions [...]
  UserRoles,               // set roles for user "u" [...]
  GroupRoles,              // set roles for group "g" [...]
  Isolate,                 // isolate path "p"
  Deisolate,               // deisolate path "p"
  RoleLock,                // set role "R" locked by principal "P"
};

// The texts are views into the line's tokens (or into `normalised`), valid
// until the next line is read: a store is parsed without a copy of any name
// per statement, and whoever keeps a name copies it.
struct Statement {
  // Not copied or moved: `subject` may view `normalised`, which a copy
  // would leave behind.
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  StatementKind kind{};
  SourcePos where;                      // the statement's first token
  std::string_view role;                // the role the statement is about, if any
  std::string_view subject;             // normalised path, user, group or principal
  GlobalPermissions global;             // RolePermissions
  PathPermissions path;                 // RoleDefaultPermissions, RolePathPermissions
  std::vector<std::string_view> roles;  // RoleIncludes and the session role lists
  std::string normalised;               // a path written other than in normal form, normalised

  // Ready for the next line; the vector and string keep their buffers.
  void reset(SourcePos at) {
    kind = {};
    where = at;
    role = {};
    subject = {};
    global = {};
    path = {};
    roles.clear();
  }
};

}  // namespace secstore::detail
