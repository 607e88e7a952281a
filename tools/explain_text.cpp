#include <algorithm>
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
  const auto& who = input.session.subject;
  if (who.anonymous) {
    out << "session: anonymous";
    if (!who.user.empty()) out << ", user " << quoted(who.user);
  } else {
    out << "session: named, user " << quoted(who.user);
  }
  if (who.uid) out << " (uid " << *who.uid << (*who.uid == 0 ? ", root" : "") << ")";
  out << '\n';
  if (!who.anonymous) {
    std::vector<std::string> groups;
    for (const auto& g : who.groups) groups.push_back(g.name);
    out << "groups: " << joined(groups) << (input.groups_given ? " (from --groups)" : " (from the name service)") << '\n';
  }
  if (input.service) out << "service: " << *input.service << '\n';
  out << "read from: " << (input.form == Policy::Form::Compiled ? "the compiled index" : "the text") << '\n';
}

void write_roles(std::ostream& out, const ExplainInput& input) {
  const auto& names = input.session.access.role_names;
  out << "roles: " << joined(names) << '\n';
  // One line per reason: a role can be given by several statements.
  std::vector<RoleOrigin> origins = input.text.explain_roles(input.session.subject);
  std::stable_sort(origins.begin(), origins.end(),
                   [](const RoleOrigin& a, const RoleOrigin& b) { return a.role < b.role; });
  const std::size_t width = widest(names);
  for (const auto& o : origins)
    out << "  " << padded(o.role, width) << "  " << o.reason << " (" << where_text(o.where) << ")\n";
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

void write_path(std::ostream& out, const ExplainInput& input, std::size_t i) {
  const std::string& path = input.paths[i];
  out << "path " << quoted(path) << ": " << joined(names_of(input.held[i])) << '\n';
  const auto& names = input.session.access.role_names;
  if (names.empty()) {
    out << "  (the session has no roles)\n";
    return;
  }
  const auto decisions = input.text.explain_path(input.text_roles, path);
  std::vector<std::string> answers;
  for (const auto& d : decisions) answers.push_back(joined(names_of(d.permissions)));
  const std::size_t role_width = widest(names), answer_width = widest(answers);
  for (std::size_t k = 0; k < decisions.size(); ++k) {
    out << "  " << padded(decisions[k].role, role_width) << "  " << padded(answers[k], answer_width) << "  "
        << decision_reason(decisions[k]);
    if (!decisions[k].expose_branch_from.empty())
      out << "; EXPOSE_BRANCH from " << quoted(decisions[k].expose_branch_from) << " ("
          << where_text(decisions[k].expose_branch_where) << ")";
    out << '\n';
  }
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
      out << "  root session: it keeps only the capabilities above; every other one leaves its bounding and "
             "inheritable sets\n";
    out << "  from the Security scopes that match:\n";
    for (const auto& scope : plan.matched)
      out << "    Security" << (scope.name.empty() ? "" : " " + quoted(scope.name)) << " (" << where_text(scope.where)
          << ")\n";
  }
  out << "chroot: " << (plan.chroot ? *plan.chroot : std::string("none")) << '\n';
  out << "supplemental groups: " << joined(plan.supplemental_groups) << '\n';
}

}  // namespace

Outcome<TextWhy> text_for_why(const Policy& policy, const Session& session, const std::vector<std::string>& paths,
                              const std::vector<PathPermissions>& held) {
  auto text = policy.store_text();
  if (!text.ok()) return Outcome<TextWhy>::failure(text.diagnostics);
  const SessionAccess access = text.value->resolve(session.subject);
  TextWhy out{*text.value, access.roles};
  bool agrees = access.role_names == session.access.role_names;
  for (std::size_t i = 0; agrees && i < paths.size() && i < held.size(); ++i)
    agrees = out.text.path_permissions(out.roles, paths[i]) == held[i];
  if (!agrees)
    return Outcome<TextWhy>::failure(make_error(Location{policy_index_path(policy.files().store), 0, 0},
                                                "the compiled index answers otherwise than the text it was compiled "
                                                "from; run `secstore compile`"));
  return Outcome<TextWhy>::success(std::move(out));
}

std::string where_text(const Location& where) {
  if (where.line == 0) return where.file;
  return where.file + ':' + std::to_string(where.line);
}

std::string explain_text(const ExplainInput& input) {
  std::ostringstream out;
  write_identity(out, input);
  write_roles(out, input);
  out << "global permissions: " << joined(names_of(input.session.access.global)) << '\n';
  for (std::size_t i = 0; i < input.paths.size(); ++i) write_path(out, input, i);
  write_plan(out, input);
  return out.str();
}

}  // namespace secstore::cli
