#include "secstore/module_decision.hpp"

#include <algorithm>

#include "secstore/capabilities.hpp"
#include "secstore/encoding.hpp"
#include "secstore/nss.hpp"
#include "secstore/policy.hpp"
#include "policy/opening.hpp"

namespace secstore {
namespace {

// SPEC §4.3: anonymous when PAM_USER is unset or empty, listed in
// anonymous=, or a member of an @group listed there.
bool listed_anonymous(const std::string& user, const AnonymousList& list, const SessionSubject* account) {
  if (user.empty()) return true;
  if (std::find(list.users.begin(), list.users.end(), user) != list.users.end()) return true;
  if (account == nullptr) return false;
  return std::any_of(list.groups.begin(), list.groups.end(), [&](const std::string& g) {
    return std::any_of(account->groups.begin(), account->groups.end(),
                       [&](const SessionGroup& mine) { return mine.name == g; });
  });
}

void keep_warnings(std::vector<Diagnostic>& into, const std::vector<Diagnostic>& from) {
  for (const auto& d : from)
    if (d.severity == Severity::Warning) into.push_back(d);
}

ModuleDecision refused(ModuleDecision d, Refusal why, std::string message) {
  d.refusal = why;
  d.refusal_message = std::move(message);
  return d;
}

std::string first_error(const std::vector<Diagnostic>& diagnostics, const std::string& fallback) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error) return d.str();
  return fallback;
}

}  // namespace

ModuleDecision decide_module_session(const ModuleArgs& args, const std::string& user, const std::string& service) {
  // Without a require_path= the session asks nothing of paths, and the
  // text's path tree, most of a store, need not be built.
  const auto parts = args.required_paths.empty() ? detail::StoreParts::WithoutPaths : detail::StoreParts::All;
  auto policy = detail::PolicyOpening::open(PolicyFiles{args.store_path, args.conf_path, service}, Policy::Options{},
                                            parts);
  if (!policy.ok()) {
    ModuleDecision out;
    keep_warnings(out.warnings, policy.diagnostics);
    return refused(std::move(out), Refusal::Config,
                   first_error(policy.diagnostics, args.store_path + ": error: cannot load the policy"));
  }
  ModuleDecision out = decide_module_session(*policy.value, args, user);
  std::vector<Diagnostic> opening;
  keep_warnings(opening, policy.diagnostics);
  out.warnings.insert(out.warnings.begin(), opening.begin(), opening.end());
  return out;
}

ModuleDecision decide_module_session(const Policy& policy, const ModuleArgs& args, const std::string& user,
                                     GroupDetail at_least) {
  ModuleDecision out;
  // Who the session is, asking the name service no more of the groups than
  // something can use.
  SessionSubject who = SessionSubject::anonymous_session();
  if (!user.empty()) {
    GroupDetail detail = std::max(policy.group_detail(), at_least);
    if (!args.anonymous.groups.empty()) detail = GroupDetail::IdsAndNames;
    auto found = lookup_subject(user, detail);
    switch (found.status) {
      case LookupStatus::Unavailable:
        return refused(std::move(out), Refusal::NameService, found.message + "; refusing the session");
      case LookupStatus::Unknown:
        // The default anonymous user need not exist (SPEC §4.3).
        if (!listed_anonymous(user, args.anonymous, nullptr))
          return refused(std::move(out), Refusal::UnknownUser,
                         "unknown user " + log_quoted(user) + ": the name service does not know it");
        who = SessionSubject::anonymous_session(user);
        break;
      case LookupStatus::Found:
        // Even an anonymous session keeps its uid: root exclusivity (SPEC
        // §3) holds for uid 0 whatever anonymous= says.
        who = listed_anonymous(user, args.anonymous, &found.subject)
                  ? SessionSubject::anonymous_session(user, found.subject.uid)
                  : std::move(found.subject);
        break;
    }
  }
  auto names = lookup_names(policy.names_needed());
  if (!names.ok()) return refused(std::move(out), Refusal::NameService, names.first_error()->message + "; refusing the session");

  auto session = policy.resolve(std::move(who), *names.value, kernel_capability_count());
  keep_warnings(out.warnings, session.diagnostics);
  if (!session.ok()) return refused(std::move(out), Refusal::Config, first_error(session.diagnostics, "cannot resolve the session"));
  std::vector<std::string> paths;
  for (const auto& r : args.required_paths) paths.push_back(r.path);
  auto held = policy.path_permissions(*session.value, paths);
  keep_warnings(out.warnings, held.diagnostics);
  if (!held.ok()) return refused(std::move(out), Refusal::Config, first_error(held.diagnostics, "cannot answer require_path="));
  out.session = std::move(*session.value);
  out.required_held = std::move(*held.value);
  return out;
}

std::vector<std::string> missing_requirements(const ModuleArgs& args, const Session& session,
                                              const std::vector<PathPermissions>& required_held) {
  std::vector<std::string> missing = names_of(GlobalPermissions{args.required.bits & ~session.access.global.bits});
  for (std::size_t i = 0; i < args.required_paths.size(); ++i) {
    const auto& requirement = args.required_paths[i];
    const PathPermissions held = i < required_held.size() ? required_held[i] : PathPermissions{};
    for (const auto& name : names_of(PathPermissions{requirement.permissions.bits & ~held.bits}))
      missing.push_back(name + " on path " + log_quoted(requirement.path));
  }
  return missing;
}

}  // namespace secstore
