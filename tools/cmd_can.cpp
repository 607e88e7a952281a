// `secstore can`: one yes/no question for scripts. Exit 0 yes, 1 no; prints
// "yes" or "no". Errors in the store or an unknown user also answer no (1),
// as pam_secstore would refuse the session; the reason goes to stderr.
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "secstore/permissions.hpp"
#include "session_options.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    {"store", true}, kUserOption, kGroupsOption, kAnonymousOption, {"path", true}, {"help", false},
};

}  // namespace

int run_can(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io, "a permission name is required");
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  const auto& positionals = opts.positionals();
  auto request = session_request_from(opts);
  if (!request.request) return usage_error(io, request.error);

  const std::string& name = positionals.front();
  auto global = global_permission_from_name(name);
  auto on_path = path_permission_from_name(name);
  auto path = opts.value("path");
  if (!global && !on_path) return usage_error(io, "unknown permission \"" + name + "\"");
  if (global && path)
    return usage_error(io, "\"" + name + "\" is a global permission: it takes no --path");
  if (on_path && !path)
    return usage_error(io, "\"" + name + "\" is a path permission: give --path P");
  std::optional<std::string> normal_path;
  if (path) {
    normal_path = normalize_path(*path);
    if (!normal_path)
      return usage_error(io, "--path \"" + *path + "\" is empty once its slashes are dropped");
  }

  auto store = load_store(opts.value("store").value_or(SECSTORE_DEFAULT_STORE));
  if (!store.value) {
    print_errors(io.err, store.diagnostics);
    return store.failure_exit;
  }
  // Roles do not depend on secstore.conf, so `can` does not read it.
  auto session = resolve_session(*store.value, Config(), *request.request);
  if (!session.value) {
    print_errors(io.err, session.diagnostics);
    return kExitNo;
  }
  bool yes = global ? session.value->global.has(*global)
                    : store.value->path_permissions(session.value->roles, *normal_path).has(*on_path);
  io.out << (yes ? "yes\n" : "no\n");
  return yes ? kExitOk : kExitNo;
}

}  // namespace secstore::cli
