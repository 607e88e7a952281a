// `secstore explain`: one session, resolved through the same Policy as
// pam_secstore (the compiled index when it is current, else the text), and
// why: which statement gave each role, what the path walk found deciding
// each path, which scopes made the plan. The reasons come from the text; a
// compiled index that answers otherwise than its text is an error.
#include <algorithm>

#include "commands.hpp"
#include "explain_report.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "resolve.hpp"
#include "session_options.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    kStoreOption, kConfOption, kServiceOption, kUserOption, kGroupsOption, kAnonymousOption,
    {"path", "P", "also show the path permissions at P, and what decided them (repeatable)", true},
    {"json", "", "print one JSON object, errors too (secstore(1), JSON OUTPUT)"},
};

}  // namespace

int run_explain(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  const bool json = opts.has("json");
  auto failed = [&](const std::vector<Diagnostic>& diagnostics, int code) {
    if (json)
      io.out << explain_json_error(diagnostics, "secstore: error: explain failed");
    else
      print_errors(io.err, diagnostics);
    return code;
  };
  auto who = subject_from(opts);
  if (!who.usage_error.empty()) return usage_error(io, who.usage_error);
  if (!who.subject) return failed(who.errors, who.exit_code);
  auto service = opts.value("service");
  if (service && !usable_service_name(*service))
    return usage_error(io, "--service \"" + *service + "\" is not a PAM service name");

  std::vector<std::string> paths;
  for (const auto& p : opts.values("path")) {
    auto normal = normalize_path(p);
    if (!normal) return usage_error(io, "--path \"" + p + "\" is empty once its slashes are dropped");
    if (std::find(paths.begin(), paths.end(), *normal) == paths.end()) paths.push_back(*normal);
  }

  auto opened = open_policy(policy_files_from(opts), FileSafety{false});
  if (!opened.policy) return failed(opened.diagnostics, opened.failure_exit);
  auto resolved = resolve_with(*opened.policy, *who.subject, paths, who.groups_given);
  std::vector<Diagnostic> warnings = opened.diagnostics;
  for (const auto& d : resolved.diagnostics) warnings.push_back(d);
  if (!resolved.session) return failed(warnings, resolved.failure_exit);

  auto text = text_for_why(*opened.policy, *resolved.session, paths, resolved.held);
  if (!text.ok()) return failed(text.diagnostics, exit_code_for(text.diagnostics));

  if (!json) print_diagnostics(io.err, warnings);
  ExplainInput input{*resolved.session, opened.policy->form(), text.value->text, text.value->roles, paths,
                     resolved.held,     who.groups_given,      service,      warnings};
  io.out << (json ? explain_json(input) : explain_text(input));
  return kExitOk;
}

}  // namespace secstore::cli
