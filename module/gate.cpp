#include "gate.hpp"

namespace secstore::module {
namespace {

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace

std::string describe_session(bool anonymous, const std::string& user) {
  if (!anonymous) return "user \"" + user + "\"";
  if (user.empty()) return "anonymous session (no user)";
  return "anonymous session (user \"" + user + "\")";
}

std::optional<Failure> check_requirements(const ResolvedSession& session, const ModuleArgs& args,
                                          const std::vector<PathPermissions>& path_held) {
  std::vector<std::string> missing;
  GlobalPermissions lacking{args.required.bits & ~session.global.bits};
  for (const auto& name : names_of(lacking)) missing.push_back(name);
  for (std::size_t i = 0; i < args.required_paths.size(); ++i) {
    const auto& requirement = args.required_paths[i];
    const PathPermissions held = i < path_held.size() ? path_held[i] : PathPermissions{};
    PathPermissions lacking_here{requirement.permissions.bits & ~held.bits};
    for (const auto& name : names_of(lacking_here))
      missing.push_back(name + " on path \"" + requirement.path + "\"");
  }
  if (missing.empty()) return std::nullopt;
  std::string roles = session.role_names.empty() ? "no roles" : "roles " + join(session.role_names, ",");
  return Failure{FailureKind::Denied,
                 describe_session(session.identity.anonymous, session.identity.user) +
                     " denied: the session (" + roles + ") lacks " + join(missing, ", ")};
}

}  // namespace secstore::module
