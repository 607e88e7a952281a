#include "session_resolve.hpp"

#include "anonymous.hpp"
#include "secstore/nss.hpp"
#include "secstore/store_index.hpp"

namespace secstore::module {
namespace {

Failure config_failure(const Diagnostic* d, const std::string& fallback) {
  return Failure{FailureKind::Config, d != nullptr ? d->str() : fallback};
}

std::variant<Store, Failure> load_store_text(const ModuleArgs& args) {
  auto store = Store::load(args.store_path, FileSafety{true});
  if (!store.ok())
    return config_failure(store.first_error(), args.store_path + ": error: cannot load the store");
  return std::move(*store.value);
}

// A session's supplementary groups can change its answer only where
// something names a group: the store's group roles, a `group =` selector,
// or an @group in anonymous=. Without any, they are not looked up: NSS
// initgroups is most of what a login costs with Debian's nss_systemd.
UserGroups groups_needed(bool store_has_group_roles, const Config& conf, const ModuleArgs& args) {
  const bool matter = store_has_group_roles || conf.selects_by_group() || !args.anonymous.groups.empty();
  return matter ? UserGroups::All : UserGroups::PrimaryOnly;
}

}  // namespace

std::variant<PamSession, Failure> resolve_pam_session(
    const ModuleArgs& args, const PamIdentity& who,
    const std::function<void(const std::string&)>& warn) {
  const FileSafety safety{true};
  auto opened = StoreIndex::open(args.store_path);
  if (!opened.problem.empty()) warn(opened.problem);
  std::optional<StoreIndex> index = std::move(opened.index);
  std::optional<Store> store;
  if (!index) {
    auto loaded = load_store_text(args);
    if (auto* failure = std::get_if<Failure>(&loaded)) return std::move(*failure);
    store.emplace(std::move(std::get<Store>(loaded)));
  }
  auto conf = who.service.empty() ? Config::load(args.conf_path, safety)
                                  : Config::load_for_service(args.conf_path, who.service, safety);
  if (!conf.ok())
    return config_failure(conf.first_error(),
                          args.conf_path + ": error: cannot load the configuration");

  // NSS is asked once here: for @group entries in anonymous=, to tell an
  // unknown named user apart from a configuration error, and for the
  // session's groups (resolve_session is given the answer).
  std::optional<UserInfo> user;
  if (!who.user.empty())
    user = lookup_user(who.user, groups_needed(index ? index->has_group_roles() : store->has_group_roles(),
                                               *conf.value, args));
  const bool anonymous =
      is_anonymous(who.user, args.anonymous, user ? user->group_names : std::vector<std::string>{});
  if (!anonymous && !user)
    return Failure{FailureKind::UnknownUser,
                   "unknown user \"" + who.user + "\": the name service does not know it"};

  SessionRequest request;
  request.anonymous = anonymous;
  request.user = who.user;
  Outcome<ResolvedSession> resolved;
  std::vector<PathPermissions> held;
  if (index) {
    std::string problem;
    auto from_index = [&](const SessionIdentity& identity) {
      return index->session_roles(identity, problem);
    };
    resolved = resolve_session(from_index, *conf.value, request, user);
    if (resolved.ok()) {
      for (const auto& requirement : args.required_paths) {
        auto permissions = index->path_permissions(resolved.value->roles, requirement.path, problem);
        if (!permissions) break;
        held.push_back(*permissions);
      }
    }
    if (!problem.empty()) {
      // Damaged after its header checked out: never answer from it.
      warn(store_index_path(args.store_path) + ": not used, " + problem +
           "; reading the store text instead (run `secstore compile`)");
      auto loaded = load_store_text(args);
      if (auto* failure = std::get_if<Failure>(&loaded)) return std::move(*failure);
      store.emplace(std::move(std::get<Store>(loaded)));
      held.clear();
    }
  }
  if (store) {
    resolved = resolve_session(*store, *conf.value, request, user);
    if (resolved.ok())
      for (const auto& requirement : args.required_paths)
        held.push_back(store->path_permissions(resolved.value->roles, requirement.path));
  }
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
  return PamSession{std::move(store), std::move(*conf.value), std::move(*resolved.value), std::move(held)};
}

}  // namespace secstore::module
