// resolve_session: the one path from "who logs in" to roles, permissions and
// the process plan, shared by pam_secstore and `secstore explain`.
#include "secstore/session.hpp"

#include "secstore/nss.hpp"

namespace secstore {
namespace {

Outcome<ResolvedSession> failure(std::string message) {
  return Outcome<ResolvedSession>::failure(make_error(Location{}, std::move(message)));
}

}  // namespace

Outcome<ResolvedSession> resolve_session(const Store& store, const Config& conf,
                                         const SessionRequest& request) {
  // Even an anonymous session's uid is looked up: root exclusivity (SPEC §3)
  // must hold for root whatever `anonymous=` says.
  std::optional<UserInfo> account;
  if (!request.user.empty()) account = lookup_user(request.user);
  return resolve_session(store, conf, request, account);
}

Outcome<ResolvedSession> resolve_session(const Store& store, const Config& conf,
                                         const SessionRequest& request,
                                         const std::optional<UserInfo>& account) {
  auto from_store = [&store](const SessionIdentity& who) -> std::optional<SessionRoles> {
    SessionRoles out;
    out.roles = store.resolve(who);
    out.role_names = store.role_names(out.roles);
    out.global = store.global_permissions(out.roles);
    return out;
  };
  return resolve_session(from_store, conf, request, account);
}

Outcome<ResolvedSession> resolve_session(const SessionRoleSource& roles_of, const Config& conf,
                                         const SessionRequest& request,
                                         const std::optional<UserInfo>& account) {
  ResolvedSession session;
  SessionFacts& facts = session.facts;
  facts.anonymous = request.anonymous;
  facts.user = request.user;

  if (account) facts.uid = account->uid;

  if (!request.anonymous) {
    if (request.user.empty()) return failure("a named session needs a user name");
    if (request.groups) {
      // --groups: the list given is the whole membership; NSS is not asked.
      facts.group_names = *request.groups;
      for (const auto& name : facts.group_names)
        if (auto gid = lookup_group(name)) facts.gids.push_back(*gid);
    } else {
      if (!account)
        return failure("user \"" + request.user + "\" is not known to the system (NSS)");
      facts.group_names = account->group_names;
      facts.gids = account->gids;
    }
  }

  session.identity.anonymous = request.anonymous;
  if (!request.anonymous) {
    session.identity.user = request.user;
    session.identity.groups = facts.group_names;
  }
  auto roles = roles_of(session.identity);
  if (!roles) return failure("cannot resolve the roles of the session");
  session.roles = std::move(roles->roles);
  session.role_names = std::move(roles->role_names);
  facts.roles = session.role_names;
  session.global = roles->global;

  auto plan = conf.plan(facts);
  Outcome<ResolvedSession> out;
  out.diagnostics = std::move(plan.diagnostics);
  if (!plan.ok()) return out;
  session.plan = std::move(*plan.value);
  out.value = std::move(session);
  return out;
}

}  // namespace secstore
