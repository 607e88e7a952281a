#include "secstore/module_decision.hpp"

#include <algorithm>

#include "secstore/capabilities.hpp"
#include "secstore/encoding.hpp"
#include "secstore/nss.hpp"
#include "secstore/policy.hpp"

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
  ModuleDecision out;
  auto policy = Policy::open(PolicyFiles{args.store_path, args.conf_path, service}, Policy::Options{});
  keep_warnings(out.warnings, policy.diagnostics);
  if (!policy.ok())
    return refused(std::move(out), Refusal::Config,
                   first_error(policy.diagnostics, args.store_path + ": error: cannot load the policy"));

  // Who the session is, asking the name service no more of the groups than
  // something can use.
  SessionSubject who = SessionSubject::anonymous_session();
  if (!user.empty()) {
    GroupDetail detail = policy.value->group_detail();
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
  auto names = lookup_names(policy.value->names_needed());
  if (!names.ok()) return refused(std::move(out), Refusal::NameService, names.first_error()->message + "; refusing the session");

  auto session = policy.value->resolve(who, *names.value, kernel_capability_count());
  keep_warnings(out.warnings, session.diagnostics);
  if (!session.ok()) return refused(std::move(out), Refusal::Config, first_error(session.diagnostics, "cannot resolve the session"));
  std::vector<std::string> paths;
  for (const auto& r : args.required_paths) paths.push_back(r.path);
  auto held = policy.value->path_permissions(*session.value, paths);
  keep_warnings(out.warnings, held.diagnostics);
  if (!held.ok()) return refused(std::move(out), Refusal::Config, first_error(held.diagnostics, "cannot answer require_path="));
  out.session = std::move(*session.value);
  out.required_held = std::move(*held.value);
  return out;
}

}  // namespace secstore
