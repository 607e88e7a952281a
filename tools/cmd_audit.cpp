// `secstore audit`: who on this host gets what at login, and how exposed
// each account is. Every account (those in /etc/passwd, or the ones named)
// goes through every audited PAM service the way pam_secstore would take it
// (decide_module_session, the files read under the module's rule), and gets
// an exposure rating from its grant (exposure.hpp). --live compares running
// sessions with the policy as it is now; --dot draws the role graph.
// Exit 0 with the report; 1 for files the module would refuse (or, with
// --live, a process beyond the policy); 2 for usage and I/O errors.
#include "audit.hpp"
#include "audit_dot.hpp"
#include "audit_live.hpp"
#include "audit_report.hpp"
#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {
    kStoreOption,
    kConfOption,
    {"service", "S", "audit PAM service S (repeatable); default: the default and every secstore.d override", true},
    {"users", "LIST", "audit these accounts (comma-separated names), directory accounts included"},
    {"all-local", "", "audit every account in /etc/passwd (the default); directory accounts are not enumerated"},
    {"pam", "FILE|DIR", "audit the pam.d stacks that load pam_secstore.so, with their arguments and require= lines"},
    {"json", "", "print one JSON object (schema in secstore(1)), errors too"},
    {"live", "", "list running processes of secstore sessions and flag those beyond what the policy grants now"},
    {"dot", "", "print the store's role graph for Graphviz (secstore audit --dot | dot -Tsvg > roles.svg)"},
    {"ratings", "", "print the exposure model: each capability's level and why"},
};

int failed(const Io& io, bool json, const std::vector<Diagnostic>& diagnostics) {
  if (json)
    io.out << audit_json_error(diagnostics);
  else
    print_errors(io.err, diagnostics);
  return exit_code_for(diagnostics);
}

void warn(const Io& io, bool json, const std::vector<Diagnostic>& warnings) {
  if (!json) print_diagnostics(io.err, warnings);
}

int run_dot(const ParsedOptions& opts, const Io& io) {
  PolicyFiles files = policy_files_from(opts);
  files.conf.clear();  // the graph is the store's alone
  auto opened = open_policy(files, FileSafety{false});
  if (!opened.policy) return failed(io, false, opened.diagnostics);
  auto text = opened.policy->store_text();
  if (!text.ok()) return failed(io, false, text.diagnostics);
  print_diagnostics(io.err, opened.diagnostics);
  io.out << role_graph_dot(*text.value);
  return kExitOk;
}

}  // namespace

int run_audit(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  const bool json = opts.has("json"), live = opts.has("live");
  const int modes = int{live} + int{opts.has("dot")} + int{opts.has("ratings")};
  if (modes > 1) return usage_error(io, "--live, --dot and --ratings cannot be used together");
  if (opts.has("users") && opts.has("all-local")) return usage_error(io, "--users and --all-local cannot be used together");
  if ((opts.has("dot") || opts.has("ratings")) && json) return usage_error(io, "--json goes with the audit and --live only");
  if (opts.has("ratings")) {
    io.out << ratings_text();
    return kExitOk;
  }
  if (opts.has("dot")) return run_dot(opts, io);
  const auto only = opts.values("service");
  for (const auto& s : only)
    if (!usable_service_name(s)) return usage_error(io, "--service \"" + s + "\" is not a PAM service name");
  const auto users = opts.value("users");
  if (users && split_list(*users).empty()) return usage_error(io, "--users needs at least one account name");

  auto services = audit_services(policy_files_from(opts), opts.has("store"), opts.has("conf"), opts.value("pam"), only);
  if (has_error(services.problems)) return failed(io, json, services.problems);
  std::vector<Diagnostic> warnings = services.problems;
  PolicyCache policies;

  if (live) {
    const LiveScan scan = scan_processes();
    auto verdicts = judge_processes(policies, scan, services.services, users ? split_list(*users) : std::vector<std::string>{});
    if (!verdicts.ok()) return failed(io, json, verdicts.diagnostics);
    warnings.insert(warnings.end(), policies.warnings().begin(), policies.warnings().end());
    warn(io, json, warnings);
    io.out << (json ? live_json(scan, *verdicts.value, warnings) : live_text(scan, *verdicts.value));
    for (const auto& v : *verdicts.value)
      if (v.exceeds) return kExitNo;
    return kExitOk;
  }

  std::vector<AuditAccount> accounts;
  if (users) {
    accounts = listed_accounts(split_list(*users));
  } else {
    auto local = local_accounts();
    if (!local.ok()) return failed(io, json, local.diagnostics);
    accounts = std::move(*local.value);
  }
  std::vector<AuditEntry> entries;
  for (const auto& service : services.services)
    for (const auto& account : accounts) {
      auto entry = audit_entry(policies, account, service);
      if (!entry.ok()) return failed(io, json, entry.diagnostics);
      entries.push_back(std::move(*entry.value));
    }
  sort_entries(entries);
  warnings.insert(warnings.end(), policies.warnings().begin(), policies.warnings().end());
  warn(io, json, warnings);
  const AuditReport report{users ? "--users" : kLocalAccounts, accounts.size(), services.services, entries, warnings};
  io.out << (json ? audit_json(report) : audit_text(report));
  return kExitOk;
}

}  // namespace secstore::cli
