// `secstore can`: one yes/no question for scripts. Exit 0 yes, 1 no; prints
// "yes" or "no" (nothing with -q). Errors in the files or an unknown user
// also answer no (1), as pam_secstore would refuse the session; a file that
// cannot be read is 2. The reason goes to stderr.
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "resolve.hpp"
#include "secstore/permissions.hpp"
#include "secstore/suggest.hpp"
#include "session_options.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    kStoreOption,
    {"conf", "F", "also read the configuration F, and answer no where pam_secstore would refuse the session"},
    kServiceOption, kUserOption, kGroupsOption, kAnonymousOption,
    {"path", "P", "the path a path permission is asked at"},
    {"quiet", "", "print nothing: the exit status is the answer", false, 'q'},
};

std::vector<std::string_view> all_permission_names() {
  std::vector<std::string_view> names(global_permission_names().begin(), global_permission_names().end());
  names.insert(names.end(), path_permission_names().begin(), path_permission_names().end());
  return names;
}

}  // namespace

std::string can_help() {
  auto line = [](std::string_view title, std::span<const std::string_view> names) {
    std::string out(title);
    for (auto n : names) out += " " + std::string(n);
    return out + "\n";
  };
  return line("global permissions:", global_permission_names()) + line("path permissions (with --path):", path_permission_names());
}

int run_can(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io, "a permission name is required");
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  auto who = subject_from(opts);
  if (!who.usage_error.empty()) return usage_error(io, who.usage_error);

  const std::string& name = opts.positionals().front();
  const auto global = global_permission_from_name(name);
  const auto on_path = path_permission_from_name(name);
  const auto path = opts.value("path");
  if (!global && !on_path)
    return usage_error(io, "unknown permission \"" + name + "\"" + did_you_mean(name, all_permission_names()));
  if (global && path) return usage_error(io, "\"" + name + "\" is a global permission: it takes no --path");
  if (on_path && !path) return usage_error(io, "\"" + name + "\" is a path permission: give --path P");
  std::vector<std::string> paths;
  if (path) {
    auto normal = normalize_path(*path);
    if (!normal) return usage_error(io, "--path \"" + *path + "\" is empty once its slashes are dropped");
    paths.push_back(*normal);
  }
  if (!who.subject) {
    print_errors(io.err, who.errors);
    return who.exit_code;
  }

  // Permissions come from the store alone; the configuration is read only
  // when asked for (--conf), for a session the module would refuse.
  PolicyFiles files = policy_files_from(opts);
  if (!opts.has("conf")) files.conf.clear();
  auto opened = open_policy(files, FileSafety{false});
  if (!opened.policy) {
    print_errors(io.err, opened.diagnostics);
    return opened.failure_exit;
  }
  auto resolved = resolve_with(*opened.policy, *who.subject, paths, who.groups_given);
  if (!resolved.session) {
    print_errors(io.err, resolved.diagnostics);
    return resolved.failure_exit;
  }
  const bool yes = global ? resolved.session->access.global.has(*global) : resolved.held.front().has(*on_path);
  if (!opts.has("quiet")) io.out << (yes ? "yes\n" : "no\n");
  return yes ? kExitOk : kExitNo;
}

}  // namespace secstore::cli
