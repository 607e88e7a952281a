// One session, resolved end to end: who it is, its roles, its permissions and
// the plan for its process. The module and `secstore explain` both go
// through here, so they cannot disagree.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "secstore/conf.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/nss.hpp"
#include "secstore/permissions.hpp"
#include "secstore/store.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

struct SessionRequest {
  bool anonymous = false;
  std::string user;  // PAM_USER; may be empty for anonymous sessions
  // When set, the user's whole group membership (`secstore --groups`), and the
  // user need not exist. When unset, a named user must exist in NSS.
  std::optional<std::vector<std::string>> groups;
};

// A session's roles after closure, as a role source (a parsed Store, or a
// compiled index: store_index.hpp) gives them.
struct SessionRoles {
  RoleSet roles;
  std::vector<std::string> role_names;  // sorted
  GlobalPermissions global;
};

struct ResolvedSession {
  SessionIdentity identity;
  SessionFacts facts;
  RoleSet roles;
  std::vector<std::string> role_names;  // sorted
  GlobalPermissions global;
  SessionPlan plan;
};

// Errors: a named user unknown to NSS (without `groups`), a plan error.
Outcome<ResolvedSession> resolve_session(const Store& store, const Config& conf,
                                         const SessionRequest& request);

// The same, for a caller that has already asked NSS about request.user
// (the module does, to decide `anonymous=`): `account` is that answer
// (nullopt: unknown user) and NSS is not asked again. A user lookup with
// nss_systemd costs ~120 system calls, too many to make twice per login.
Outcome<ResolvedSession> resolve_session(const Store& store, const Config& conf,
                                         const SessionRequest& request,
                                         const std::optional<UserInfo>& account);

// The same with the roles from another source than a parsed Store (the
// module's compiled index). `roles_of` returning nullopt fails the
// resolution; the caller knows why.
using SessionRoleSource = std::function<std::optional<SessionRoles>(const SessionIdentity&)>;
Outcome<ResolvedSession> resolve_session(const SessionRoleSource& roles_of, const Config& conf,
                                         const SessionRequest& request,
                                         const std::optional<UserInfo>& account);

}  // namespace secstore

#pragma GCC visibility pop
