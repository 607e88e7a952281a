#include "session_resolve.hpp"

#include "anonymous.hpp"
#include "secstore/nss.hpp"

namespace secstore::module {
namespace {

Failure config_failure(const Diagnostic* d, const std::string& fallback) {
  return Failure{FailureKind::Config, d != nullptr ? d->str() : fallback};
}

}  // namespace

std::variant<PamSession, Failure> resolve_pam_session(const ModuleArgs& args,
                                                      const PamIdentity& who) {
  const FileSafety safety{true};
  auto store = Store::load(args.store_path, safety);
  if (!store.ok())
    return config_failure(store.first_error(), args.store_path + ": error: cannot load the store");
  auto conf = who.service.empty() ? Config::load(args.conf_path, safety)
                                  : Config::load_for_service(args.conf_path, who.service, safety);
  if (!conf.ok())
    return config_failure(conf.first_error(),
                          args.conf_path + ": error: cannot load the configuration");

  // NSS is asked once here: for @group entries in anonymous=, and to tell an
  // unknown named user apart from a configuration error.
  std::optional<UserInfo> user;
  if (!who.user.empty()) user = lookup_user(who.user);
  const bool anonymous =
      is_anonymous(who.user, args.anonymous, user ? user->group_names : std::vector<std::string>{});
  if (!anonymous && !user)
    return Failure{FailureKind::UnknownUser,
                   "unknown user \"" + who.user + "\": the name service does not know it"};

  SessionRequest request;
  request.anonymous = anonymous;
  request.user = who.user;
  auto resolved = resolve_session(*store.value, *conf.value, request, user);
  if (!resolved.ok()) {
    const Diagnostic* d = resolved.first_error();
    return Failure{FailureKind::Config,
                   d != nullptr ? d->str() : "cannot resolve the session for \"" + who.user + "\""};
  }
  for (const auto& [group, where] : conf.value->group_references()) {
    if (!lookup_group(group))
      return Failure{FailureKind::Config,
                     make_error(where, "group \"" + group + "\" does not exist").str()};
  }
  return PamSession{std::move(*store.value), std::move(*conf.value), std::move(*resolved.value)};
}

}  // namespace secstore::module
