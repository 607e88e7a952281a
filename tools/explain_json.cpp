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

std::string caps_list(std::uint64_t mask) { return json_string_list(sorted(capability_names(mask))); }

}  // namespace

std::string explain_json(const ExplainInput& input) {
  const auto& s = input.session;
  const auto& caps = s.plan.caps;
  std::string out = "{";
  out += "\"user\": ";
  out += s.identity.anonymous ? "null" : json_string(s.identity.user);
  out += ", \"session\": ";
  out += json_string(s.identity.anonymous ? "anonymous" : "named");
  out += ", \"roles\": " + json_string_list(sorted(s.role_names));
  out += ", \"global_permissions\": " + json_string_list(sorted(names_of(s.global)));

  // Keys sorted, one per distinct normalised path.
  std::map<std::string, std::vector<std::string>> paths;
  for (const auto& p : input.paths)
    paths[p] = sorted(names_of(input.store.path_permissions(s.roles, p)));
  out += ", \"paths\": {";
  bool first = true;
  for (const auto& [path, perms] : paths) {
    if (!first) out += ", ";
    first = false;
    out += json_string(path) + ": " + json_string_list(perms);
  }
  out += "}";

  // Ambient implies inheritable (SPEC §3), so "inheritable" lists both.
  out += ", \"capabilities\": {\"ambient\": " + caps_list(caps.ambient);
  out += ", \"inheritable\": " + caps_list(caps.ambient | caps.inheritable);
  out += ", \"bounding_drop\": " + caps_list(caps.bounding_drop) + "}";
  out += ", \"chroot\": ";
  out += s.plan.chroot ? json_string(*s.plan.chroot) : "null";
  out += ", \"supplemental_groups\": " + json_string_list(sorted(s.plan.supplemental_groups));
  out += "}\n";
  return out;
}

}  // namespace secstore::cli
