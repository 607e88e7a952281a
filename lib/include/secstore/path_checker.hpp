// A session's path permissions, precomputed for repeated checks.
// Store::path_permissions walks the store-wide path index at every level of
// every path it is asked about; a program that asks many questions for one
// session (a server checking each topic a client touches) compiles the
// session once with Store::path_checker and asks this instead.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "secstore/permissions.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

class Store;

namespace detail {
class PathTable;
}

// A session's path permissions, precomputed for repeated checks: holds only
// the store nodes that can change this session's answer, so a check touches
// a table the size of the session's part of the store, not the store.
// Immutable, shares nothing mutable (any number of threads may use one);
// cheap to copy (shared_ptr). Answers exactly as Store::path_permissions
// does for the Store and RoleSet it was made from, and keeps what it needs
// of the store alive by itself.
class PathChecker {
 public:
  // A checker that grants nothing anywhere (as for a session without roles).
  PathChecker();

  // `path` is normalised first (SPEC §2.3), as by Store::path_permissions;
  // an empty path has no permissions.
  PathPermissions permissions(std::string_view path) const;

  // How many paths the checker holds (for the bench and tests): the paths
  // at which this session's answer differs from the answer just above them.
  std::size_t entries() const;

 private:
  friend class Store;
  explicit PathChecker(std::shared_ptr<const detail::PathTable> table);
  std::shared_ptr<const detail::PathTable> table_;
};

}  // namespace secstore

#pragma GCC visibility pop
