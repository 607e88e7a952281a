#include "session_summary.hpp"

#include "capability_apply.hpp"
#include "gate.hpp"

namespace secstore::module {

std::string summarize_session(const ResolvedSession& session) {
  const auto& plan = session.plan;
  std::string out = describe_session(session.identity.anonymous, session.identity.user) + " (";
  out += session.identity.anonymous ? "anonymous" : "named";
  out += "; roles ";
  if (session.role_names.empty()) out += "none";
  for (size_t i = 0; i < session.role_names.size(); ++i)
    out += (i ? "," : "") + session.role_names[i];
  if (plan.caps.ambient) out += "; ambient " + capability_list(plan.caps.ambient);
  CapMask inheritable = plan.caps.inheritable | plan.caps.ambient;
  if (inheritable) out += "; inheritable " + capability_list(inheritable);
  if (plan.root_exclusive) out += "; root exclusive";
  if (plan.caps.bounding_drop) out += "; bounding drop " + capability_list(plan.caps.bounding_drop);
  if (plan.chroot) out += "; chroot " + *plan.chroot;
  if (!plan.supplemental_groups.empty()) {
    out += "; groups ";
    for (size_t i = 0; i < plan.supplemental_groups.size(); ++i)
      out += (i ? "," : "") + plan.supplemental_groups[i];
  }
  out += ")";
  return out;
}

std::string explain_decision(const ResolvedSession& session) {
  std::string out = "global permissions ";
  auto names = names_of(session.global);
  if (names.empty()) out += "none";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
  out += "; scopes ";
  if (session.plan.matched.empty()) out += "none";
  for (size_t i = 0; i < session.plan.matched.size(); ++i) {
    const auto& scope = session.plan.matched[i];
    out += (i ? ", " : "") + (scope.name.empty() ? std::string("(unnamed)") : "\"" + scope.name + "\"") +
           " (" + scope.where.file + ":" + std::to_string(scope.where.line) + ")";
  }
  return out;
}

}  // namespace secstore::module
