#include <algorithm>
#include <map>

#include "explain_report.hpp"
#include "json.hpp"

namespace secstore::cli {
namespace {

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

std::string caps_list(CapabilityMask mask) { return json_string_list(sorted(capability_names(mask))); }

std::string kind_name(PathDecision::Kind kind) {
  switch (kind) {
    case PathDecision::Kind::Assignment: return "assignment";
    case PathDecision::Kind::Isolated: return "isolated";
    case PathDecision::Kind::Default: return "default";
    case PathDecision::Kind::NoDefault: break;
  }
  return "none";
}

std::string why(const ExplainInput& input) {
  const Session& s = input.session;
  std::vector<std::string> roles;
  for (const auto& o : input.text.explain_roles(s.subject))
    roles.push_back(JsonObject()
                        .add("role", json_string(o.role))
                        .add("reason", json_string(o.reason))
                        .add("where", json_location(o.where))
                        .str());
  std::vector<std::string> scopes;
  for (const auto& scope : s.plan.matched)
    scopes.push_back(JsonObject()
                         .add("name", scope.name.empty() ? "null" : json_string(scope.name))
                         .add("where", json_location(scope.where))
                         .str());
  std::map<std::string, std::string> paths;
  for (const auto& path : input.paths) {
    std::vector<std::string> decisions;
    for (const auto& d : input.text.explain_path(input.text_roles, path)) {
      JsonObject o;
      o.add("role", json_string(d.role))
          .add("permissions", json_string_list(names_of(d.permissions)))
          .add("decided_by", json_string(kind_name(d.kind)))
          .add("at", d.at_path.empty() ? "null" : json_string(d.at_path))
          .add("where", d.where.file.empty() ? "null" : json_location(d.where));
      if (!d.expose_branch_from.empty())
        o.add("expose_branch_from", JsonObject()
                                        .add("path", json_string(d.expose_branch_from))
                                        .add("where", json_location(d.expose_branch_where))
                                        .str());
      decisions.push_back(o.str());
    }
    paths[path] = json_array(decisions);
  }
  JsonObject path_object;
  for (const auto& [path, decisions] : paths) path_object.add(path, decisions);
  return JsonObject()
      .add("roles", json_array(roles))
      .add("scopes", json_array(scopes))
      .add("paths", path_object.str())
      .str();
}

}  // namespace

void add_explain_members(JsonObject& out, const ExplainInput& input) {
  const Session& s = input.session;
  const auto& caps = s.plan.caps;
  std::map<std::string, std::vector<std::string>> paths;  // keys sorted
  for (std::size_t i = 0; i < input.paths.size(); ++i) paths[input.paths[i]] = sorted(names_of(input.held[i]));
  JsonObject path_object;
  for (const auto& [path, perms] : paths) path_object.add(path, json_string_list(perms));
  std::vector<std::string> groups;
  for (const auto& g : s.subject.groups) groups.push_back(g.name);

  out.add("user", s.subject.user.empty() ? "null" : json_string(s.subject.user))
      .add("uid", s.subject.uid ? json_number(*s.subject.uid) : "null")
      .add("session", json_string(s.subject.anonymous ? "anonymous" : "named"))
      .add("groups", s.subject.anonymous ? "[]" : json_string_list(groups))
      .add("groups_from", json_string(s.subject.anonymous ? "none" : input.groups_given ? "--groups" : "name service"))
      .add("service", input.service ? json_string(*input.service) : "null")
      .add("read_from", json_string(input.form == Policy::Form::Compiled ? "compiled index" : "text"))
      .add("roles", json_string_list(sorted(s.access.role_names)))
      .add("global_permissions", json_string_list(sorted(names_of(s.access.global))))
      .add("paths", path_object.str())
      // Ambient implies inheritable (SPEC §3), so "inheritable" lists both.
      .add("capabilities", JsonObject()
                               .add("ambient", caps_list(caps.ambient))
                               .add("inheritable", caps_list(caps.ambient | caps.inheritable))
                               .add("bounding_drop", caps_list(caps.bounding_drop))
                               .str())
      .add("root_exclusive", s.plan.root_exclusive ? "true" : "false")
      .add("chroot", s.plan.chroot ? json_string(*s.plan.chroot) : "null")
      .add("supplemental_groups", json_string_list(sorted(s.plan.supplemental_groups)))
      .add("why", why(input));
}

std::string explain_json(const ExplainInput& input) {
  JsonObject out;
  out.add("schema", json_number(kExplainSchema));
  add_explain_members(out, input);
  out.add("warnings", json_diagnostics(input.warnings));
  return out.str() + "\n";
}

std::string explain_json_error(const std::vector<Diagnostic>& diagnostics, const std::string& fallback) {
  return json_error(kExplainSchema, diagnostics, fallback);
}

}  // namespace secstore::cli
