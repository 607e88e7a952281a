// One chain of types from who logs in to what their process gets:
//
//   SessionSubject  who the session is (PAM_USER and what the name service
//                   says of the account, or what the command line says)
//   SessionAccess   its roles and global permissions (the store's answer)
//   SessionPlan     what its process keeps (secstore.conf's answer)
//   Session         the three together, as Policy::resolve gives them
//
// The module, `secstore explain`/`can`/`check` and secstore-shell all go
// through Policy (policy.hpp), so they cannot disagree; the C API asks a
// Store, the evaluator behind Policy's text path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "secstore/capabilities.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/permissions.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

namespace detail {
struct RoleSetAccess;
}

struct SessionGroup {
  std::string name;
  std::optional<gid_t> gid;  // nullopt: a name given on the command line that this host does not know
  friend bool operator==(const SessionGroup&, const SessionGroup&) = default;
};

// Who the session is (SPEC §4.3). A named session has a user; an anonymous
// one may have one (listed in anonymous=) or not (PAM_USER unset).
struct SessionSubject {
  bool anonymous = false;
  std::string user;
  // The account's uid, when the user has an account on this host. Every
  // account with uid 0 is root (SPEC §3), whatever its name.
  std::optional<uid_t> uid;
  // Primary first, then supplementary. Empty for anonymous sessions, which
  // get no group roles and match no `group =` selector.
  std::vector<SessionGroup> groups;

  bool is_root() const { return uid && *uid == 0; }
  static SessionSubject anonymous_session(std::string user = {}, std::optional<uid_t> uid = {});
  // A named session whose groups are given by name (no name service).
  static SessionSubject named(std::string user, std::vector<std::string> group_names,
                              std::optional<uid_t> uid = {});
};

// A session's roles after closure under `includes`: opaque, made only by the
// store or compiled index that answers for it, and answered only by that one
// (any other gets nothing), so evaluation can trust it to be sorted and in
// range.
class RoleSet {
 public:
  RoleSet();
  std::size_t size() const;
  bool empty() const;

 private:
  friend struct detail::RoleSetAccess;
  std::shared_ptr<const void> origin_;
  std::vector<std::uint32_t> ids_;
};

struct SessionAccess {
  RoleSet roles;
  std::vector<std::string> role_names;  // sorted (byte order)
  GlobalPermissions global;
};

struct ScopeRef {
  std::string name;  // instance name, empty for an anonymous `Security { }`
  Location where;    // the scope's opening line
};

// What the session's process gets, computed whole by the library: the
// module applies exactly this and re-derives nothing.
struct SessionPlan {
  // The grant. ambient is a subset of inheritable. bounding_drop includes,
  // for an exclusive root session, every capability it is not granted.
  CapabilitySets caps;
  // SPEC §3 "root sessions": uid 0 given capabilities keeps exactly those,
  // so besides the bounding drops every capability outside the grant leaves
  // the inheritable set at open (else root would regain it at exec).
  bool root_exclusive = false;
  CapabilityMask inheritable_clear = 0;
  std::optional<std::string> chroot;
  std::vector<std::string> supplemental_groups;  // as written, each once
  std::vector<gid_t> supplemental_gids;          // the same groups, resolved
  std::vector<ScopeRef> matched;                 // the scopes that matched, in file order

  // Whether the session gets anything at all (SPEC §4.7: such a session is
  // logged at LOG_INFO, others only with `debug`).
  bool grants_anything() const;
};

struct Session {
  SessionSubject subject;
  SessionAccess access;
  SessionPlan plan;
};

// The user and group names a configuration mentions (`user =`, `group =`,
// supplemental_groups), to be resolved by the caller before planning: name
// service lookups happen outside the pure evaluation, once per session.
struct NamesNeeded {
  std::vector<std::string> users;
  std::vector<std::string> groups;
};

// Their ids. A name missing here is not known to the name service: a `user
// =` naming it matches nobody; a `group =` or supplemental_groups naming it
// is an error (SPEC §4.5 "unknown group").
struct ResolvedNames {
  std::map<std::string, uid_t, std::less<>> users;
  std::map<std::string, gid_t, std::less<>> groups;
};

}  // namespace secstore

#pragma GCC visibility pop
