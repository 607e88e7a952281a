#include <algorithm>
#include <map>
#include <sstream>

#include "explain_report.hpp"

namespace secstore::cli {
namespace {

std::string joined(const std::vector<std::string>& items, std::string_view none = "none") {
  if (items.empty()) return std::string(none);
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string quoted(const std::string& text) { return '"' + text + '"'; }

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

std::size_t widest(const std::vector<std::string>& names) {
  std::size_t width = 0;
  for (const auto& n : names) width = std::max(width, n.size());
  return width;
}

void write_identity(std::ostream& out, const ExplainInput& input) {
  const auto& s = input.session;
  if (s.identity.anonymous) {
    out << "session: anonymous\n";
  } else {
    out << "session: named, user " << quoted(s.identity.user);
    if (s.facts.uid) out << " (uid " << *s.facts.uid << ")";
    out << "\ngroups: " << joined(s.identity.groups)
        << (input.groups_given ? " (from --groups)" : " (from the system, NSS)") << '\n';
  }
  if (input.service) out << "service: " << *input.service << '\n';
}

void write_roles(std::ostream& out, const ExplainInput& input) {
  const auto& s = input.session;
  out << "roles: " << joined(s.role_names) << '\n';
  // One line per reason: a role can be given by several statements.
  std::vector<RoleOrigin> origins = input.store.explain_roles(s.identity);
  std::stable_sort(origins.begin(), origins.end(),
                   [](const RoleOrigin& a, const RoleOrigin& b) { return a.role < b.role; });
  std::size_t width = widest(s.role_names);
  for (const auto& o : origins)
    out << "  " << padded(o.role, width) << "  " << o.reason << " (" << where_text(o.where)
        << ")\n";
}

std::string decision_reason(const PathDecision& d) {
  switch (d.kind) {
    case PathDecision::Kind::Assignment:
      return "assignment at " + quoted(d.at_path) + " (" + where_text(d.where) + ")";
    case PathDecision::Kind::Isolated:
      return "isolated at " + quoted(d.at_path) + " (" + where_text(d.where) + ")";
    case PathDecision::Kind::Default:
      return "default path permissions (" + where_text(d.where) + ")";
    case PathDecision::Kind::NoDefault:
      break;
  }
  return "no assignment, no default path permissions";
}

void write_path(std::ostream& out, const ExplainInput& input, const std::string& path) {
  const auto& s = input.session;
  PathPermissions held = input.store.path_permissions(s.roles, path);
  out << "path " << quoted(path) << ": " << joined(names_of(held)) << '\n';
  if (s.role_names.empty()) {
    out << "  (the session has no roles)\n";
    return;
  }
  auto decisions = input.store.explain_path(s.roles, path);
  std::vector<std::string> answers;
  PathPermissions decided;
  for (const auto& d : decisions) {
    answers.push_back(joined(names_of(d.permissions)));
    decided |= d.permissions;
  }
  std::size_t role_width = widest(s.role_names), answer_width = widest(answers);
  for (std::size_t i = 0; i < decisions.size(); ++i)
    out << "  " << padded(decisions[i].role, role_width) << "  "
        << padded(answers[i], answer_width) << "  " << decision_reason(decisions[i]) << '\n';
  if (held.has(PathPermission::EXPOSE_BRANCH) && !decided.has(PathPermission::EXPOSE_BRANCH))
    out << "  EXPOSE_BRANCH is held at a path above, and so here too\n";
}

void write_plan(std::ostream& out, const ExplainInput& input) {
  const auto& plan = input.session.plan;
  const auto& caps = plan.caps;
  if (plan.matched.empty()) {
    out << "capabilities: none (no Security scope matched)\n";
  } else {
    out << "capabilities:\n"
        << "  ambient:       " << joined(capability_names(caps.ambient)) << '\n'
        << "  inheritable:   " << joined(capability_names(caps.ambient | caps.inheritable)) << '\n'
        << "  bounding drop: " << joined(capability_names(caps.bounding_drop)) << '\n';
    if (plan.root_exclusive)
      out << "  root session: it keeps only the capabilities above; every other one is dropped "
             "from its bounding set\n";
    out << "  from the Security scopes that match:\n";
    for (const auto& scope : plan.matched)
      out << "    Security" << (scope.name.empty() ? "" : " " + quoted(scope.name)) << " ("
          << where_text(scope.where) << ")\n";
  }
  out << "chroot: " << (plan.chroot ? *plan.chroot : std::string("none")) << '\n';
  out << "supplemental groups: " << joined(plan.supplemental_groups) << '\n';
}

}  // namespace

std::string where_text(const Location& where) {
  if (where.line == 0) return where.file;
  return where.file + ':' + std::to_string(where.line);
}

std::string explain_text(const ExplainInput& input) {
  std::ostringstream out;
  write_identity(out, input);
  write_roles(out, input);
  out << "global permissions: " << joined(names_of(input.session.global)) << '\n';
  for (const auto& path : input.paths) write_path(out, input, path);
  write_plan(out, input);
  return out.str();
}

}  // namespace secstore::cli
