#include "resolve.hpp"

#include "cli.hpp"
#include "secstore/nss.hpp"

namespace secstore::cli {

Resolved resolve_with(const Policy& policy, const SessionSubject& who, const std::vector<std::string>& paths,
                      bool hypothetical) {
  Resolved out;
  const NamesNeeded needed = policy.names_needed();
  auto names = lookup_names(needed);
  if (!names.ok()) {
    out.diagnostics = std::move(names.diagnostics);
    out.failure_exit = kExitUsage;
    return out;
  }
  if (hypothetical)
    for (const auto& group : needed.groups)
      if (names.value->groups.emplace(group, static_cast<gid_t>(-1)).second)
        out.diagnostics.push_back(make_warning(
            Location{policy.files().conf, 0, 0},
            "group \"" + group + "\" does not exist on this host: matched by name only (pam_secstore here would "
            "refuse every session)"));
  // An error here (two chroots, an unknown group) is invalid input: exit 1,
  // the answer pam_secstore would give by refusing the session.
  auto session = policy.resolve(who, *names.value, kernel_capability_count());
  for (auto& d : session.diagnostics) out.diagnostics.push_back(std::move(d));
  if (!session.ok()) {
    out.failure_exit = kExitNo;
    return out;
  }
  auto held = policy.path_permissions(*session.value, paths);
  for (auto& d : held.diagnostics) out.diagnostics.push_back(std::move(d));
  if (!held.ok()) {
    out.failure_exit = kExitNo;
    return out;
  }
  out.session = std::move(*session.value);
  out.held = std::move(*held.value);
  return out;
}

}  // namespace secstore::cli
