#include "loading.hpp"

#include <sys/stat.h>

namespace secstore::cli {

PolicyFiles policy_files_from(const ParsedOptions& options) {
  PolicyFiles files = default_policy_files(options.value("service").value_or(""));
  if (auto store = options.value("store")) files.store = *store;
  if (auto conf = options.value("conf")) files.conf = *conf;
  return files;
}

OpenedPolicy open_policy(const PolicyFiles& files, const FileSafety& safety) {
  OpenedPolicy out;
  auto opened = Policy::open(files, Policy::Options{safety, true});
  out.diagnostics = std::move(opened.diagnostics);
  if (opened.ok())
    out.policy.emplace(std::move(*opened.value));
  else
    out.failure_exit = exit_code_for(out.diagnostics);
  return out;
}

std::vector<std::string> override_services(const std::string& conf_path, std::vector<Diagnostic>& problems) {
  auto listed = read_policy_directory(service_override_directory(conf_path), ".conf", FileSafety{true});
  problems.insert(problems.end(), listed.diagnostics.begin(), listed.diagnostics.end());
  std::vector<std::string> services;
  if (listed.ok())
    for (const auto& n : listed.value->names) services.push_back(n.substr(0, n.size() - 5));
  return services;
}

int exit_code_for(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error && d.problem == Problem::Unreadable) return kExitUsage;
  return kExitNo;
}

void print_diagnostics(std::ostream& out, const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) out << d.str() << '\n';
}

void print_errors(std::ostream& out, const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error) out << d.str() << '\n';
}

void recompile_index_if_present(const PolicyFiles& files, const Io& io) {
  struct stat st {};
  if (::stat(policy_index_path(files.store).c_str(), &st) != 0) return;
  // From the configuration it was compiled with (not necessarily the
  // default), when the index says which.
  PolicyFiles from = files;
  if (auto recorded = policy_index_sources(files.store); recorded && recorded->store == files.store)
    from.conf = recorded->conf;
  auto compiled = compile_policy(from, FileSafety{true});
  if (compiled.ok()) {
    io.out << *compiled.value << ": recompiled\n";
    return;
  }
  print_errors(io.err, compiled.diagnostics);
  io.err << policy_index_path(files.store)
         << ": warning: not recompiled; pam_secstore reads the text until `secstore compile` succeeds\n";
}

}  // namespace secstore::cli
