// `secstore explain`: resolves one session exactly as pam_secstore would
// (resolve_session) and shows the result, as text that says why or --json.
#include <algorithm>

#include "commands.hpp"
#include "explain_report.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "session_options.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    {"store", true},     {"conf", true},       {"service", true}, kUserOption,
    kGroupsOption,       kAnonymousOption,     {"path", true, true},
    {"json", false},     {"help", false},
};

// PAM service names become file names under secstore.d (SPEC §3).
bool usable_service_name(const std::string& service) {
  return !service.empty() && service[0] != '.' && service.find('/') == std::string::npos;
}

}  // namespace

int run_explain(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  auto request = session_request_from(opts);
  if (!request.request) return usage_error(io, request.error);
  auto service = opts.value("service");
  if (service && !usable_service_name(*service))
    return usage_error(io, "--service \"" + *service + "\" is not a PAM service name");

  std::vector<std::string> paths;
  for (const auto& p : opts.values("path")) {
    auto normal = normalize_path(p);
    if (!normal) return usage_error(io, "--path \"" + p + "\" is empty once its slashes are dropped");
    if (std::find(paths.begin(), paths.end(), *normal) == paths.end()) paths.push_back(*normal);
  }

  auto store = load_store(opts.value("store").value_or(SECSTORE_DEFAULT_STORE));
  if (!store.value) {
    print_errors(io.err, store.diagnostics);
    return store.failure_exit;
  }
  auto conf = load_conf(opts.value("conf").value_or(SECSTORE_DEFAULT_CONF), service);
  if (!conf.value) {
    print_errors(io.err, conf.diagnostics);
    return conf.failure_exit;
  }
  // An unknown user or a plan error (two chroots) is invalid input: exit 1,
  // the answer pam_secstore would give by refusing the session.
  auto session = resolve_session(*store.value, *conf.value, *request.request);
  if (!session.value) {
    print_errors(io.err, session.diagnostics);
    return kExitNo;
  }
  ExplainInput input{*store.value, *session.value, paths, request.request->groups.has_value(),
                     service};
  io.out << (opts.has("json") ? explain_json(input) : explain_text(input));
  return kExitOk;
}

}  // namespace secstore::cli
